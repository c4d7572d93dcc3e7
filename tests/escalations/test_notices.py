"""Issue 17: an escalation's notices follow the case's notification rules, and its
accept and hand-over reach the requester as one mail; ESC-3: the partner asked first
gets a link and a reply address."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from unittest.mock import patch

import pytest
from django.test import Client
from django.utils import translation

from supportdesk import clock
from supportdesk.accounts.models import Organization, Role, User
from supportdesk.cases.models import Case
from supportdesk.escalations import services
from supportdesk.escalations.services._events import manager_line
from supportdesk.notifications.models import (
    Notification,
    OutboxMessage,
    OutboxState,
    Preferences,
)
from tests.escalations.conftest import WEDNESDAY, form_for, stockholm
from tests.factories import make_user


@contextmanager
def freeze(at: dt.datetime) -> Iterator[None]:
    with patch.object(clock, "now", lambda: at):
        yield


pytestmark = pytest.mark.django_db
TEN = stockholm(*WEDNESDAY, 10)


def _going_out(user: User, since: dt.datetime) -> list[OutboxMessage]:
    rows = OutboxMessage.objects.filter(recipient_user=user, created_at__gte=since)
    return list(rows.exclude(state=OutboxState.COMBINED).order_by("id"))


def _accept_and_hand_over(
    customer: User, incident: Case, managers: dict[str, User]
) -> tuple[dt.datetime, int]:
    esc = services.request_escalation(requester=customer, form=form_for(incident), now=TEN)
    accepted_at = TEN + dt.timedelta(hours=1)
    services.accept_escalation(actor=managers["emea"], escalation_id=esc.pk, now=accepted_at)
    services.hand_over_escalation(
        actor=managers["emea"],
        escalation_id=esc.pk,
        to_manager_id=managers["na"].pk,
        note="North America takes it from here.",
        now=accepted_at + dt.timedelta(seconds=60),
    )
    return accepted_at, esc.pk


def test_an_accept_and_a_hand_over_reach_the_requester_as_one_mail(
    customer: User, incident: Case, managers: dict[str, User]
) -> None:
    accepted_at, esc_id = _accept_and_hand_over(customer, incident, managers)
    (mail,) = _going_out(customer, accepted_at)
    assert mail.state == OutboxState.PENDING
    assert f"[Escalation {esc_id}]" in mail.subject and incident.reference in mail.subject
    assert "was accepted" in mail.body
    assert "North America takes it from here." in mail.body


def test_a_sev1_escalations_notices_are_never_held_back_to_be_combined(
    customer: User, make_incident: object, emea_client: Organization, managers: dict[str, User]
) -> None:
    incident = make_incident(emea_client, customer, severity=1)  # type: ignore[operator]
    accepted_at, _ = _accept_and_hand_over(customer, incident, managers)
    mails = _going_out(customer, accepted_at)
    assert len(mails) == 3  # accepted, its manager, the hand-over: each on its own
    assert all(m.priority == "urgent" for m in mails)


def test_esc3_the_partner_asked_first_gets_a_link_and_a_reply_address(
    customer: User, incident: Case, partner_org: Organization, managers: dict[str, User]
) -> None:
    partner = make_user(role=Role.PARTNER, organization=partner_org)
    esc = services.request_escalation(
        requester=customer, form=form_for(incident, partner_extension=True), now=TEN
    )
    (ask,) = _going_out(partner, TEN)
    assert f"[Escalation {esc.pk}]" in ask.subject
    assert "Please check first" in ask.subject
    assert f"/portal/cases/{incident.pk}/#escalation" in ask.body
    assert "Answer by replying to this message (to " in ask.body
    assert "Bright Partners" in esc.assessment  # the partner by name, not its id
    (receipt,) = _going_out(customer, TEN)
    assert "Escalation request received" in receipt.subject


def test_esc3_the_partners_answer_through_the_api_unblocks_the_decision(
    customer: User, incident: Case, partner_org: Organization, managers: dict[str, User]
) -> None:
    partner = make_user(role=Role.PARTNER, organization=partner_org)
    esc = services.request_escalation(
        requester=customer, form=form_for(incident, partner_extension=True), now=TEN
    )
    client = Client()
    url = f"/api/escalations/{esc.pk}/partner-answer"
    client.force_login(customer)
    refused = client.post(url, {"answer": "Not us"}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["field"] == "escalation_id"
    client.force_login(partner)
    empty = client.post(url, {"answer": ""}, content_type="application/json")
    assert empty.status_code in (400, 422)
    with freeze(TEN + dt.timedelta(minutes=5)):
        answered = client.post(
            url, {"answer": "Our extension is fine."}, content_type="application/json"
        )
    assert answered.status_code == 200, answered.content
    assert answered.json()["status"] == "requested"
    esc.refresh_from_db()
    assert esc.partner_answer == "Our extension is fine."
    assert esc.events.filter(kind="partner_answered").count() == 1
    team = managers["emea"].team
    assert OutboxMessage.objects.filter(
        recipient_team=team, dedupe_key__contains=":partner:"
    ).exists()
    again = client.post(url, {"answer": "Again"}, content_type="application/json")
    assert again.status_code == 409


def test_esc3_the_partner_answers_on_the_portal_case_page(
    customer: User, incident: Case, partner_org: Organization, managers: dict[str, User]
) -> None:
    partner = make_user(role=Role.PARTNER, organization=partner_org)
    esc = services.request_escalation(
        requester=customer, form=form_for(incident, partner_extension=True), now=TEN
    )
    client = Client()
    client.force_login(partner)
    page = client.get(f"/portal/cases/{incident.pk}/")
    assert b"Please check first" in page.content
    client.post(
        f"/portal/cases/{incident.pk}/escalations/{esc.pk}/respond",
        {"message": "A core problem, not ours."},
    )
    esc.refresh_from_db()
    assert esc.status == "requested" and esc.partner_answer == "A core problem, not ours."


def test_issue_23_an_acceptance_reaches_each_person_in_their_own_language(
    customer: User, incident: Case, managers: dict[str, User]
) -> None:
    """The service records what to say; each recipient's bell entry and mail are
    written in their language: the requester chose Swedish, the manager nothing (the
    site's English), whatever the language of the decider's request."""
    Preferences.objects.create(user=customer, language="sv")
    elin = managers["emea"]
    esc = services.request_escalation(requester=customer, form=form_for(incident), now=TEN)
    (receipt,) = Notification.objects.filter(recipient=customer, event="escalation_received")
    # The decision deadline on the deciding region's clock, with Swedish day names.
    assert re.search(
        r"\nEskaleringsteamet beslutar senast (mån|tis|ons|tor|fre) 2026-03-1\d \d\d:\d\d CET\.$",
        receipt.body,
    ), receipt.body
    accepted_at = TEN + dt.timedelta(hours=1)
    with translation.override("sv"):  # the decider works in Swedish
        services.accept_escalation(
            actor=managers["na"], escalation_id=esc.pk, note="Vi tar det.", now=accepted_at
        )
    esc.refresh_from_db()
    assert esc.manager == elin and esc.region == "emea"
    name = elin.get_full_name() or elin.get_username()

    (bell,) = Notification.objects.filter(recipient=customer, event="escalation_accepted")
    assert bell.title == f"{incident.reference} · Eskaleringen godkänd"
    assert bell.body == (
        f"Eskaleringen av {incident.reference} (Imports fail) har godkänts; ärendet går nu "
        "före standardarbete.\nVi tar det.\n"
        "Affärspåverkan: Orders cannot be exported to 40 stores.\n"
        f"Eskaleringsansvarig: {name} (EMEA)."
    )
    (mail,) = _going_out(customer, accepted_at)  # the accept and its manager, combined
    assert "har godkänts; ärendet går nu före standardarbete." in mail.body
    assert "Affärspåverkan: Orders cannot be exported to 40 stores." in mail.body
    assert f"Eskaleringsansvarig: {name} (EMEA)." in mail.body
    assert "Business impact" not in mail.body and "was accepted" not in mail.body

    (told,) = Notification.objects.filter(recipient=elin, event="escalation_handed_over")
    assert told.title == f"{incident.reference} · Escalation Manager: {name}"
    assert told.body.startswith(f"Escalation Manager: {name} (EMEA).\n")
    (to_elin,) = [
        m for m in _going_out(elin, accepted_at) if "escalation_handed_over" in m.dedupe_key
    ]
    assert f"Escalation Manager: {name} (EMEA)." in to_elin.body
    assert "Eskaleringsansvarig" not in to_elin.body


def test_issue_23_a_manager_not_yet_assigned_is_named_in_the_reader_s_language() -> None:
    line = manager_line(None, "apac")
    assert str(line) == "Escalation Manager: not assigned yet (APAC)."
    with translation.override("sv"):
        assert str(line) == "Eskaleringsansvarig: inte tilldelad än (APAC)."


def test_issue_23_each_member_of_the_deciding_team_reads_the_request_in_their_language(
    customer: User, incident: Case, managers: dict[str, User]
) -> None:
    elin = managers["emea"]
    sven = make_user(role=Role.ESCALATION_MANAGER, team=elin.team, username="sven")
    Preferences.objects.create(user=sven, language="sv")
    with translation.override("sv"):  # the requester's request is in Swedish
        esc = services.request_escalation(requester=customer, form=form_for(incident), now=TEN)
    rows = Notification.objects.filter(event="escalation_requested", case=incident)
    to_sven = rows.get(recipient=sven)
    to_elin = rows.get(recipient=elin)
    assert "Eskalering att besluta om senast " in to_sven.title
    assert to_sven.body.endswith("\nAffärspåverkan: Orders cannot be exported to 40 stores.")
    assert "Escalation to decide by " in to_elin.title
    assert to_elin.body.endswith("\nBusiness impact: Orders cannot be exported to 40 stores.")
    # The team's one mail is in the site's language.
    mail = OutboxMessage.objects.get(
        recipient_team=elin.team, dedupe_key__contains=f":e{esc.pk}:requested:"
    )
    assert "Escalation to decide by " in mail.subject
    assert "Business impact: Orders cannot be exported to 40 stores." in mail.body
