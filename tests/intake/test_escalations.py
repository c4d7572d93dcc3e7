"""Escalations by email: the request form in a message (ESC-4) and the client's reply
to an escalation waiting on them (ESC-6, ESC-8)."""

from __future__ import annotations

from typing import Any

import pytest

from supportdesk.accounts.models import Organization, Role, User
from supportdesk.cases.models import Case
from supportdesk.escalations import services
from supportdesk.escalations.models import Escalation, EscalationStatus
from supportdesk.intake.models import InboundState
from supportdesk.notifications.models import OutboxMessage
from supportdesk.notifications.services import deliver_due
from tests.escalations.conftest import (
    WEDNESDAY,
    emea_client,
    emea_manager,
    form_for,
    make_incident,
    managers,
    na_manager,
    partner_org,
    stockholm,
)
from tests.factories import make_user
from tests.intake import corpus
from tests.intake.conftest import Sink, ingest

__all__ = ["emea_client", "emea_manager", "make_incident", "managers", "na_manager", "partner_org"]

NOON = stockholm(*WEDNESDAY, 12)
BJORN = "bjorn@nordic.example"


@pytest.fixture
def client_user(emea_client: Organization) -> User:
    user = make_user(role=Role.CUSTOMER, organization=emea_client)
    user.email = BJORN
    user.save()
    return user


@pytest.fixture
def incident(make_incident: Any, emea_client: Organization, client_user: User) -> Case:
    case: Case = make_incident(emea_client, client_user)
    return case


FORM = """Hello,

Business Impact: Orders cannot be exported to 40 stores;
the nightly replenishment stops.
Affected users: All 300 merchandisers
Requester contact: Björn Svensson, bjorn@nordic.example, +46 8 123 45 67

Regards
"""


def test_esc_4_an_escalation_request_by_mail_goes_through_the_policy_form(
    client_user: User, incident: Case, managers: dict[str, User]
) -> None:
    raw = corpus.plain(
        sender=BJORN, subject=f"Escalation request [{incident.reference}]", body=FORM
    )
    message = ingest(raw, now=NOON).message
    assert message.state == InboundState.ESCALATION, message.reason
    esc = Escalation.objects.get()
    assert esc.channel == "email" and esc.case == incident
    assert esc.status == EscalationStatus.REQUESTED, (esc.decision_reason, esc.form)
    assert esc.form["business_impact"] == (
        "Orders cannot be exported to 40 stores; the nightly replenishment stops."
    )


def test_a_mailed_request_while_one_is_live_is_added_to_the_case_not_lost(
    client_user: User, managers: dict[str, User]
) -> None:
    report = corpus.plain(sender=BJORN, subject="Imports fail", body="Nightly imports fail.")
    opened = ingest(report, now=NOON).message
    assert opened.state == InboundState.OPENED, opened.reason
    incident = opened.case
    assert incident is not None
    first = corpus.plain(
        sender=BJORN, subject=f"Escalation request [{incident.reference}]", body=FORM
    )
    assert ingest(first, now=NOON).message.state == InboundState.ESCALATION
    again = corpus.plain(
        sender=BJORN,
        subject=f"Escalation request [{incident.reference}]",
        body=FORM.replace("Hello,", "Hello again, still broken."),
    )
    message = ingest(again, now=NOON).message
    assert message.state == InboundState.COMMENTED, message.reason
    assert "already has an escalation in progress" in message.reason
    assert Escalation.objects.count() == 1
    assert incident.comments.filter(body__contains="still broken").exists()


def test_esc_4_a_mailed_request_missing_business_impact_is_declined_with_the_reason(
    client_user: User, incident: Case, managers: dict[str, User]
) -> None:
    raw = corpus.plain(
        sender=BJORN,
        subject=f"Escalate [{incident.reference}]",
        body="Please escalate, it is urgent.\nAffected users: everyone\nRequester contact: me",
    )
    assert ingest(raw, now=NOON).message.state == InboundState.ESCALATION
    esc = Escalation.objects.get()
    assert esc.status == EscalationStatus.DECLINED
    assert esc.decision_reason == "missing_business_impact"
    assert OutboxMessage.objects.filter(recipient_user=client_user).exists()


def test_esc_5_a_mailed_yes_no_answer_that_is_neither_is_declined_as_unclear_not_read_as_no(
    client_user: User, incident: Case, managers: dict[str, User]
) -> None:
    raw = corpus.plain(
        sender=BJORN,
        subject=f"Escalation request [{incident.reference}]",
        body=FORM.replace(
            "Regards", "Is the issue in a partner-built extension?: maybe\n\nRegards"
        ),
    )
    assert ingest(raw, now=NOON).message.state == InboundState.ESCALATION
    esc = Escalation.objects.get()
    assert esc.form["partner_extension"] == "maybe"
    # Not read as "no" (which would send it on to the team): declined, the field named.
    assert esc.status == EscalationStatus.DECLINED, esc.assessment
    assert esc.missing_fields == ["partner_extension"]
    assert esc.decision_reason == "other"
    deliver_due(now=NOON)
    reply = OutboxMessage.objects.get(recipient_user=client_user)
    assert "Is the issue in a partner-built extension? (must be yes or no)" in reply.body


@pytest.mark.parametrize(
    ("answer", "status"),
    [
        ("yes", EscalationStatus.PARTNER_FIRST),
        ("Yes", EscalationStatus.PARTNER_FIRST),
        ("no", EscalationStatus.REQUESTED),
        ("No", EscalationStatus.REQUESTED),
    ],
)
def test_esc_3_a_mailed_yes_or_no_to_the_partner_question_still_reads_as_written(
    answer: str, status: str, client_user: User, incident: Case, managers: dict[str, User]
) -> None:
    line = f"Partner extension: {answer}\n\nRegards"
    raw = corpus.plain(
        sender=BJORN,
        subject=f"Escalation request [{incident.reference}]",
        body=FORM.replace("Regards", line),
    )
    assert ingest(raw, now=NOON).message.state == InboundState.ESCALATION
    esc = Escalation.objects.get()
    assert esc.status == status, esc.assessment
    assert esc.missing_fields == []


def test_esc_6_the_clients_mail_reply_to_an_escalation_waiting_on_them_is_recorded(
    client_user: User, incident: Case, emea_manager: User, smtp_sink: Sink
) -> None:
    esc = services.request_escalation(requester=client_user, form=form_for(incident), now=NOON)
    services.accept_escalation(actor=emea_manager, escalation_id=esc.pk, now=NOON)
    services.acknowledge_escalation(
        actor=emea_manager, escalation_id=esc.pk, status_note="s", next_steps="n", now=NOON
    )
    services.await_client(
        actor=emea_manager, escalation_id=esc.pk, troubleshooting_steps="Retry.", now=NOON
    )
    deliver_due(now=NOON)
    asked = next(m for m in smtp_sink.received if m["To"] == BJORN and "Escalation" in m["Subject"])
    raw = corpus.plain(
        sender=BJORN,
        subject=f"Re: {asked['Subject']}",
        body=corpus.GMAIL_REPLY,
        in_reply_to=asked["Message-ID"],
    )
    message = ingest(raw, now=NOON).message
    assert message.state == InboundState.ESCALATION, message.reason
    esc.refresh_from_db()
    assert esc.status == EscalationStatus.ACKNOWLEDGED
    assert esc.next_reminder_at is None


def test_the_clients_mail_reply_to_the_escalation_teams_question_resumes_the_decision(
    client_user: User, incident: Case, emea_manager: User, smtp_sink: Sink
) -> None:
    esc = services.request_escalation(requester=client_user, form=form_for(incident), now=NOON)
    asked_at = stockholm(*WEDNESDAY, 13)
    services.request_information(
        actor=emea_manager, escalation_id=esc.pk, question="Which stores?", now=asked_at
    )
    deliver_due(now=asked_at)
    asked = next(
        m for m in smtp_sink.received if m["To"] == BJORN and "information" in m["Subject"]
    )
    raw = corpus.plain(
        sender=BJORN,
        subject=f"Re: {asked['Subject']}",
        body=corpus.GMAIL_REPLY,
        in_reply_to=asked["Message-ID"],
    )
    message = ingest(raw, now=stockholm(*WEDNESDAY, 14)).message
    assert message.state == InboundState.ESCALATION, message.reason
    esc.refresh_from_db()
    assert esc.status == EscalationStatus.REQUESTED
    assert esc.information_requested_at is None
    # Requested at 12:00 with 4 hours to decide, asked at 13:00, answered at 14:00.
    assert esc.decide_by == stockholm(*WEDNESDAY, 17)


def test_esc3_the_partners_mail_reply_is_recorded_and_moves_the_request_to_the_team(
    client_user: User,
    incident: Case,
    partner_org: Organization,
    managers: dict[str, User],
    smtp_sink: Sink,
) -> None:
    partner = make_user(role=Role.PARTNER, organization=partner_org)
    partner.email = "dev@bright.example"
    partner.save()
    esc = services.request_escalation(
        requester=client_user, form=form_for(incident, partner_extension=True), now=NOON
    )
    deliver_due(now=NOON)
    asked = next(m for m in smtp_sink.received if m["To"] == partner.email)
    raw = corpus.plain(
        sender=partner.email,
        subject=f"Re: {asked['Subject']}",
        body="Our extension is fine; the core importer fails.",
        in_reply_to=asked["Message-ID"],
    )
    message = ingest(raw, now=NOON).message
    assert message.state == InboundState.ESCALATION, message.reason
    esc.refresh_from_db()
    assert esc.status == EscalationStatus.REQUESTED
    assert "core importer" in esc.partner_answer
    assert esc.decide_by is not None  # the team's decision clock runs now


def test_a_reply_naming_an_escalation_not_waiting_on_the_client_is_a_comment_on_the_case(
    client_user: User,
) -> None:
    """The case of a message naming an escalation is read without its lock (the
    escalation's services lock the escalation first); the reply takes it when it
    comments."""
    opened = ingest(corpus.plain(sender=BJORN, subject="Exports fail", body="x"), now=NOON)
    case = Case.objects.get(pk=opened.message.case_id)
    esc = services.request_escalation(requester=client_user, form=form_for(case), now=NOON)
    raw = corpus.plain(
        sender=BJORN,
        subject=f"Re: [{case.reference}] [Escalation {esc.pk}] any news?",
        body="Any news on this?",
    )
    message = ingest(raw, now=NOON).message
    assert message.state == InboundState.COMMENTED, message.reason
    assert message.case_id == case.pk
    assert case.comments.get().body == "Any news on this?"
