"""Who is told what (issue 17): receipts on every channel, replies both ways, status and
severity news, assignment, following, in-app notices per person and tenant, preferences
and unsubscribe, the team-without-channel fallback and the coalescing window."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from supportdesk.accounts.models import Role, TeamKind
from supportdesk.cases import services
from supportdesk.cases.drafts import CaseDraft
from supportdesk.cases.models import Case, CaseFollower, OutboundMail
from supportdesk.cases.notices import in_zone
from supportdesk.notifications import selectors as notice_selectors
from supportdesk.notifications.models import (
    ContactChannel,
    Notification,
    OutboxMessage,
    OutboxState,
    Preferences,
)
from supportdesk.notifications.services import deliver_due, enqueue
from tests.cases.conftest import NOW, bearer, open_sev
from tests.factories import answers_none, int4_details, make_team, make_user, tell_everyone

pytestmark = pytest.mark.django_db
LATER = NOW + dt.timedelta(hours=1)


@pytest.fixture(autouse=True)
def _locmem(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _to(user: Any) -> list[OutboxMessage]:
    """The messages that go out to ``user`` (not those combined into another)."""
    rows = OutboxMessage.objects.filter(recipient_user=user).exclude(state=OutboxState.COMBINED)
    return list(rows.order_by("id"))


def _bell(user: Any) -> list[str]:
    return [n.title for n in notice_selectors.notices_for(user)]


def _draft(org: Any, channel: str, **kw: Any) -> CaseDraft:
    return CaseDraft(
        organisation_id=org.pk,
        channel=channel,
        environment="production",
        request_type="incident",
        title=f"Broken via {channel}",
        description="Something broke.",
        answers=answers_none(significant_impact=True, workaround=False),
        details=int4_details(),
        **kw,
    )


# -- every channel gets its receipt ------------------------------------------------------


def test_int1_a_portal_case_gets_its_requester_a_receipt_with_the_promise_in_their_zone(
    customer: Any, organisation: Any
) -> None:
    customer.time_zone = "Europe/Zurich"
    customer.save()
    case = open_sev(customer, organisation, severity=2, now=NOW)
    tell_everyone()
    (receipt,) = _to(customer)
    assert receipt.subject == f"[{case.reference}] {case.title}"
    assert case.reference in receipt.body and "Sev2" in receipt.body
    assert case.severity_reason in receipt.body
    assert "CET" in receipt.body  # the first response's due, in the requester's zone
    assert OutboundMail.objects.filter(outbox=receipt, case=case).exists()
    assert _bell(customer) == [f"{case.reference} · We received your case"]


def test_int1_an_api_case_gets_its_requester_a_receipt(customer: Any, organisation: Any) -> None:
    body = {
        "organisation_id": organisation.pk,
        "channel": "api",
        "environment": "production",
        "request_type": "incident",
        "title": "Imports fail",
        "description": "Since noon.",
        "answers": answers_none(significant_impact=True, workaround=False),
        "details": int4_details(),
    }
    response = bearer(customer).post("/api/cases", body, content_type="application/json")
    assert response.status_code == 201
    case = Case.objects.get(pk=response.json()["id"])
    tell_everyone()
    (receipt,) = _to(customer)
    assert case.reference in receipt.body


def test_int1_a_phone_case_gets_the_customer_a_receipt_and_not_the_agent_who_logged_it(
    agent: Any, customer: Any, organisation: Any
) -> None:
    case, _ = services.open_case(
        agent, _draft(organisation, "phone", requester_id=customer.pk), now=NOW
    )
    tell_everyone()
    (receipt,) = _to(customer)
    assert case.reference in receipt.body
    # The agent logged it: told neither by mail nor in the app of their own action.
    assert not OutboxMessage.objects.filter(recipient_user=agent).exists()
    assert not Notification.objects.filter(recipient=agent).exists()


@pytest.mark.parametrize(
    ("channel", "opening"),
    [
        ("portal", "we have opened case {ref} for the request you sent in the portal:"),
        ("api", "we have opened case {ref} for the request you sent through our API:"),
        ("phone", "we have opened case {ref} for the issue you reported by phone:"),
    ],
)
def test_int1_the_receipt_says_how_the_case_came_in(
    channel: str, opening: str, agent: Any, customer: Any, organisation: Any
) -> None:
    # Only a mailed report was "received" as a message (tests/intake/test_ingest.py);
    # every receipt can still be answered by mail.
    actor = agent if channel == "phone" else customer
    case, _ = services.open_case(
        actor, _draft(organisation, channel, requester_id=customer.pk), now=NOW
    )
    tell_everyone()
    (receipt,) = _to(customer)
    html = OutboundMail.objects.get(outbox=receipt, case=case).html
    for part in (receipt.body, re.sub(r"<[^>]+>", "", html)):
        words = " ".join(part.split())
        assert opening.format(ref=case.reference) in words.replace("We have", "we have")
        assert "received your message" not in words
        assert f"Reply to this message to add to the case; keep [{case.reference}]" in words


def test_a_new_case_reaches_the_regions_team_by_mail_and_each_member_in_the_app(
    customer: Any, organisation: Any, na_team: Any, agent: Any
) -> None:
    case = open_sev(customer, organisation, severity=3, now=NOW)
    tell_everyone()
    team_mail = OutboxMessage.objects.get(recipient_team=na_team)
    assert "New Sev3 case" in team_mail.subject and case.reference in team_mail.subject
    # Staff mail stays out of the customer's thread.
    assert not OutboundMail.objects.filter(outbox=team_mail).exists()
    assert _bell(agent) == [f"{case.reference} · New Sev3 case"]


def test_team_members_are_told_in_the_app_except_the_inactive_and_the_one_who_acted(
    agent: Any, customer: Any, organisation: Any, na_team: Any
) -> None:
    gone = make_user(role=Role.AGENT, team=na_team)
    gone.is_active = False
    gone.save()
    colleague = make_user(role=Role.AGENT, team=na_team)
    case, _ = services.open_case(
        agent, _draft(organisation, "phone", requester_id=customer.pk), now=NOW
    )
    tell_everyone()
    assert _bell(colleague) == [f"{case.reference} · New Sev2 case"]
    assert _bell(gone) == [] and _bell(agent) == []
    (entry,) = Notification.objects.filter(recipient=colleague)
    assert entry.case_id == case.pk and entry.created_at == NOW and entry.read_at is None
    assert entry.url.endswith(f"/console/cases/{case.pk}/")


# -- replies both ways ------------------------------------------------------------------


def test_an_agents_public_reply_reaches_the_requester_by_mail_and_in_the_app(
    sev2_case: Case, agent: Any, customer: Any
) -> None:
    services.add_comment(actor=agent, case_id=sev2_case.pk, body="Clear the cache.", now=LATER)
    tell_everyone()
    receipt, reply = _to(customer)
    assert "Clear the cache." in reply.body
    envelope = OutboundMail.objects.get(outbox=reply)
    assert envelope.in_reply_to == OutboundMail.objects.get(outbox=receipt).message_id
    assert f"{sev2_case.reference} · New reply" in _bell(customer)


def test_no_notice_leaks_an_internal_note(sev2_case: Case, agent: Any, customer: Any) -> None:
    before = OutboxMessage.objects.count(), Notification.objects.count()
    services.add_comment(
        actor=agent, case_id=sev2_case.pk, body="secret margin", public=False, now=LATER
    )
    assert (OutboxMessage.objects.count(), Notification.objects.count()) == before
    assert not OutboxMessage.objects.filter(body__contains="secret margin").exists()
    assert not Notification.objects.filter(body__contains="secret margin").exists()


def test_the_customers_reply_reaches_the_assigned_agent_and_marks_the_queue(
    sev2_case: Case, agent: Any, customer: Any
) -> None:
    other = make_user(role=Role.AGENT, team=agent.team)
    services.assign_case(actor=other, case_id=sev2_case.pk, assignee_id=agent.pk, now=NOW)
    assert "Assigned to you" in " ".join(_bell(agent))
    services.add_comment(actor=customer, case_id=sev2_case.pk, body="Still broken", now=LATER)
    tell_everyone()
    to_agent = [m for m in _to(agent) if "Still broken" in m.body]
    assert to_agent and "The customer replied" in to_agent[0].subject
    assert f"{sev2_case.reference} · The customer replied" in _bell(agent)
    sev2_case.refresh_from_db()
    assert sev2_case.customer_activity_at == LATER
    # The assignee opens the case in the console: the mark is gone.
    client = Client()
    client.force_login(agent)
    assert client.get(f"/console/cases/{sev2_case.pk}/").status_code == 200
    sev2_case.refresh_from_db()
    assert sev2_case.customer_activity_at is None


def test_unassigned_customer_replies_go_to_the_regions_team(
    sev2_case: Case, customer: Any, na_team: Any
) -> None:
    services.add_comment(actor=customer, case_id=sev2_case.pk, body="Any news?", now=LATER)
    tell_everyone()
    assert OutboxMessage.objects.filter(recipient_team=na_team, body__contains="Any news?").exists()


def test_status_news_follows_the_rules_and_severity_changes_carry_the_reason(
    sev2_case: Case, agent: Any, customer: Any
) -> None:
    services.transition_case(actor=agent, case_id=sev2_case.pk, to="acknowledged", now=LATER)
    assert len(_to(customer)) == 1  # acknowledging is not customer news by default
    later = LATER + dt.timedelta(hours=1)
    services.transition_case(actor=agent, case_id=sev2_case.pk, to="waiting_on_customer", now=later)
    services.change_severity(
        actor=agent, case_id=sev2_case.pk, severity=3, reason="One user only", now=later
    )
    _, news = _to(customer)  # the two changes, one window: one mail
    assert "Waiting on customer" in news.body and "One user only" in news.body
    assert OutboxMessage.objects.filter(combined_into=news, state=OutboxState.COMBINED).exists()


def test_status_news_names_the_status_in_words_in_each_readers_language(
    sev2_case: Case, agent: Any, customer: Any
) -> None:
    Preferences.objects.update_or_create(user=customer, defaults={"language": "sv"})
    services.transition_case(actor=agent, case_id=sev2_case.pk, to="waiting_on_customer", now=LATER)
    tell_everyone()
    bell = _bell(customer)
    assert f"{sev2_case.reference} · Ny status: Väntar på kund" in bell
    assert not any("waiting_on_customer" in title for title in bell)


# -- following ----------------------------------------------------------------------------


def test_followers_get_what_the_requester_gets_and_strangers_cannot_follow(
    sev2_case: Case, agent: Any, customer: Any, organisation: Any, stranger: Any
) -> None:
    colleague = make_user(role=Role.CUSTOMER, organization=organisation)
    assert bearer(colleague).post(f"/api/cases/{sev2_case.pk}/followers").status_code == 201
    assert bearer(stranger).post(f"/api/cases/{sev2_case.pk}/followers").status_code == 404
    services.add_comment(actor=agent, case_id=sev2_case.pk, body="Fixed?", now=LATER)
    tell_everyone()
    assert any("Fixed?" in m.body for m in _to(colleague))
    assert not Notification.objects.filter(recipient=stranger).exists()
    assert bearer(colleague).delete(f"/api/cases/{sev2_case.pk}/followers").status_code == 204
    assert not CaseFollower.objects.filter(case=sev2_case).exists()


def test_a_follower_from_the_portal_page(sev2_case: Case, organisation: Any) -> None:
    colleague = make_user(role=Role.CUSTOMER, organization=organisation)
    client = Client()
    client.force_login(colleague)
    page = client.get(f"/portal/cases/{sev2_case.pk}/").content.decode()
    assert "Follow this case" in page
    client.post(f"/notifications/cases/{sev2_case.pk}/follow", {"follow": "1"})
    assert CaseFollower.objects.filter(case=sev2_case, user=colleague).exists()
    assert "Unfollow this case" in client.get(f"/portal/cases/{sev2_case.pk}/").content.decode()


# -- in-app notices per person and tenant ----------------------------------------------


def test_the_bell_counts_unread_and_the_list_marks_read(
    sev2_case: Case, agent: Any, customer: Any
) -> None:
    services.add_comment(actor=agent, case_id=sev2_case.pk, body="One", now=LATER)
    tell_everyone()
    client = Client()
    client.force_login(customer)
    page = client.get("/portal/").content.decode()
    assert 'aria-label="2 unread"' in page
    inbox = client.get("/notifications/").content.decode()
    assert "New reply" in inbox and f"/portal/cases/{sev2_case.pk}/" in inbox
    first = Notification.objects.filter(recipient=customer).first()
    assert first is not None
    client.post("/notifications/read", {"id": first.pk})
    assert notice_selectors.unread_count(customer) == 1
    client.post("/notifications/read", {"all": "1"})
    assert notice_selectors.unread_count(customer) == 0


def test_a_customer_never_sees_a_notice_about_another_organisation(
    sev2_case: Case, stranger: Any
) -> None:
    # Even a row written by mistake is never shown to another tenant's customer.
    Notification.objects.create(
        recipient=stranger, case=sev2_case, event="public_reply", title="x", created_at=NOW
    )
    assert notice_selectors.unread_count(stranger) == 0
    client = Client()
    client.force_login(stranger)
    assert sev2_case.reference not in client.get("/notifications/").content.decode()


# -- preferences and unsubscribe --------------------------------------------------------


def test_preferences_pick_the_channels_but_a_breach_always_mails(
    customer: Any, organisation: Any, agent: Any
) -> None:
    client = Client()
    client.force_login(customer)
    response = client.post(
        "/notifications/profile/",
        {
            "time_zone": "Europe/Zurich",
            "language": "sv",
            "set_case_news": "1",
            "group_case_news": ["in_app"],
        },
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.time_zone == "Europe/Zurich"
    assert Preferences.objects.get(user=customer).channels == {"case_news": ["in_app"]}
    case = open_sev(customer, organisation, severity=2, now=NOW)
    services.add_comment(actor=agent, case_id=case.pk, body="Hello", now=LATER)
    tell_everyone()
    assert _to(customer) == []  # in the app only
    assert len(_bell(customer)) == 2
    # Essential: SLA breach alerts keep their email whatever an agent chose.
    Preferences.objects.create(user=agent, channels={"sla": ["in_app"]})
    case = open_sev(customer, organisation, severity=2, now=NOW)  # unanswered
    services.assign_case(
        actor=make_user(role=Role.AGENT, team=agent.team),
        case_id=case.pk,
        assignee_id=agent.pk,
        now=LATER,
    )
    services.scan_deadlines(now=NOW + dt.timedelta(days=20))
    assert any(":sla_breach:" in m.dedupe_key for m in _to(agent))
    assert not any(":sla_warning:" in m.dedupe_key for m in _to(agent))


def test_profile_refuses_an_unknown_zone(customer: Any) -> None:
    client = Client()
    client.force_login(customer)
    response = client.post("/notifications/profile/", {"time_zone": "Mars/Base"})
    assert response.status_code == 400 and "unknown time zone" in response.content.decode()


def test_the_profile_lists_current_zone_names_and_keeps_an_old_alias_someone_chose(
    customer: Any,
) -> None:
    client = Client()
    client.force_login(customer)
    html = client.get("/notifications/profile/").content.decode()
    assert '<option value="Europe/Stockholm"' in html and '<option value="UTC"' in html
    assert "Africa/Asmera" not in html and "US/Eastern" not in html  # aliases of old data
    customer.time_zone = "US/Eastern"
    customer.save(update_fields=["time_zone"])
    html = client.get("/notifications/profile/").content.decode()
    assert '<option value="US/Eastern" selected>' in html


def test_non_essential_mail_has_a_one_click_unsubscribe(
    sev2_case: Case, agent: Any, customer: Any
) -> None:
    services.add_comment(actor=agent, case_id=sev2_case.pk, body="Hello", now=LATER)
    tell_everyone()
    deliver_due(now=LATER)
    sent = [m for m in mail.outbox if m.to == [customer.email]]
    header = sent[-1].extra_headers["List-Unsubscribe"]
    assert sent[-1].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = header.strip("<>")
    path = url.split("://", 1)[1].split("/", 1)[1]
    # A mail client posts without a session or CSRF token (RFC 8058).
    assert Client(enforce_csrf_checks=True).post(f"/{path}").status_code == 200
    assert "email" not in Preferences.objects.get(user=customer).channels["case_news"]
    assert Client().get("/notifications/unsubscribe/forged/").status_code == 400


# -- nobody is forgotten ----------------------------------------------------------------


def test_a_team_without_a_channel_falls_back_to_members_then_managers(db: None) -> None:
    team = make_team(region="emea")
    manager = make_user(role=Role.ESCALATION_MANAGER)
    escalation_team = make_team(region="emea", kind=TeamKind.ESCALATION)
    escalation_team.escalation_manager = manager
    escalation_team.save()
    assert notice_selectors.team_targets(team) == [manager.email]
    member = make_user(role=Role.AGENT, team=team)
    assert notice_selectors.team_targets(team) == [member.email]
    ContactChannel.objects.create(team=team, url="json://hooks.example/x")
    assert notice_selectors.team_targets(team) == ["json://hooks.example/x"]


def test_a_message_nobody_can_receive_is_retried_not_dead_lettered_at_first(db: None) -> None:
    lonely = make_team(region="apac")
    message = enqueue(kind="email", subject="s", dedupe_key="k", team=lonely, now=NOW)
    report = deliver_due(now=NOW)
    assert report.dead == [] and report.retrying == [message.pk]
    make_user(role=Role.AGENT, team=lonely)
    report = deliver_due(now=NOW + dt.timedelta(minutes=5))
    assert report.sent == [message.pk]


# -- no flood -----------------------------------------------------------------------------


def test_events_within_the_window_are_one_message_and_sev1_never_waits(
    customer: Any, organisation: Any, agent: Any
) -> None:
    case = open_sev(customer, organisation, severity=2, now=NOW)
    tell_everyone()
    deliver_due(now=NOW)  # the receipt has gone out
    services.add_comment(actor=agent, case_id=case.pk, body="First", now=LATER)
    tell_everyone()
    services.add_comment(
        actor=agent, case_id=case.pk, body="Second", now=LATER + dt.timedelta(seconds=90)
    )
    tell_everyone()
    pending = [m for m in _to(customer) if m.state == OutboxState.PENDING]
    assert len(pending) == 1 and "First" in pending[0].body and "Second" in pending[0].body
    assert pending[0].next_attempt_at == LATER  # its send time kept
    services.add_comment(
        actor=agent, case_id=case.pk, body="Third", now=LATER + dt.timedelta(minutes=5)
    )
    tell_everyone()
    assert len([m for m in _to(customer) if m.state == OutboxState.PENDING]) == 2
    urgent = open_sev(customer, organisation, severity=1, now=NOW)
    services.add_comment(actor=agent, case_id=urgent.pk, body="A", now=LATER)
    services.add_comment(actor=agent, case_id=urgent.pk, body="B", now=LATER)
    tell_everyone()
    sev1 = [m for m in _to(customer) if m.severity == 1]
    assert len(sev1) == 3  # receipt, A, B: never combined


# -- INT-5: the phone Sev1 follow-up ----------------------------------------------------


def _phone_sev1(agent: Any, customer: Any, organisation: Any) -> Case:
    """A Sev1 the agent logs from the customer's call at 18:00 in New York (support
    open until 20:00: two hours of the follow-up's time today, two from 09:00)."""
    draft = replace(
        _draft(organisation, "phone", requester_id=customer.pk, callback_number="+12125550100"),
        answers=answers_none(cannot_book=True, workaround=False),
    )
    at = dt.datetime(2026, 3, 10, 22, 0, tzinfo=dt.UTC)
    case, _ = services.open_case(agent, draft, now=at)
    return case


def test_int5_the_follow_up_is_due_in_business_hours_told_and_reminded_once(
    agent: Any, customer: Any, organisation: Any
) -> None:
    manager = make_user(role=Role.AGENT, team=agent.team)
    organisation.account_manager = manager
    organisation.save()
    case = _phone_sev1(agent, customer, organisation)
    tell_everyone()
    task = case.follow_ups.get()
    assert task.due_at == dt.datetime(2026, 3, 11, 15, 0, tzinfo=dt.UTC)  # 11:00 EDT
    # The customer is told what happens next, in the receipt, by when in their zone.
    (receipt,) = [m for m in _to(customer) if ":case_received:" in m.dedupe_key]
    by = in_zone(task.due_at, customer)
    assert by and by in " ".join(receipt.body.split())
    assert (
        "What happens next: we follow up your call with a detailed written description of "
        f"this case to your account manager, by {by}." in " ".join(receipt.body.split())
    )
    assert any("Follow-up owed" in t for t in _bell(manager))
    assert services.remind_follow_ups(now=task.due_at - dt.timedelta(minutes=1)) == 0
    assert services.remind_follow_ups(now=task.due_at) == 1
    assert services.remind_follow_ups(now=task.due_at + dt.timedelta(hours=1)) == 0
    reminders = [m for m in _to(agent) if "overdue" in m.subject]
    assert len(reminders) == 1 and case.reference in reminders[0].subject


def test_int5_the_follow_up_promise_is_in_the_customers_language(
    agent: Any, customer: Any, organisation: Any
) -> None:
    Preferences.objects.update_or_create(user=customer, defaults={"language": "sv"})
    case = _phone_sev1(agent, customer, organisation)
    tell_everyone()
    (receipt,) = [m for m in _to(customer) if ":case_received:" in m.dedupe_key]
    html = OutboundMail.objects.get(outbox=receipt, case=case).html
    for part in (receipt.body, html):
        assert "What happens next" not in part and "account manager" not in part
        assert "Vad händer nu" in part
