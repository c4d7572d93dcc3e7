"""An escalation's page in the console (ESC-5..8) and what the customer sees of it."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.test import Client

from supportdesk import cli
from supportdesk.accounts.models import Role, TeamKind
from supportdesk.cases import services as case_services
from supportdesk.cases.drafts import CaseDraft
from supportdesk.escalations import services
from supportdesk.escalations.models import Escalation, EscalationEvent
from tests.factories import make_org, make_team, make_user
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db

CLOSURE_KEYS = [
    "resolved",
    "declined",
    "best_practices",
    "outside_core",
    "acceptable_pace",
    "no_response",
]


def _named(user: Any, first_name: str) -> Any:
    user.first_name = first_name
    user.save()
    return user


@pytest.fixture
def emea_manager(db: None) -> Any:
    team = make_team(region="emea", kind=TeamKind.ESCALATION)
    return _named(make_user(role=Role.ESCALATION_MANAGER, team=team, username="elin"), "Elin")


@pytest.fixture
def na_manager(db: None) -> Any:
    team = make_team(region="na", kind=TeamKind.ESCALATION)
    return _named(make_user(role=Role.ESCALATION_MANAGER, team=team, username="marcus"), "Marcus")


@pytest.fixture
def escalation(policies: Any, frozen_clock: Any) -> Escalation:
    org = make_org(name="Nordic Retail", region="emea", policy=policies["follow-the-sun"])
    customer = make_user(role=Role.CUSTOMER, organization=org, username="bjorn")
    case, _ = case_services.open_case(
        customer,
        CaseDraft(
            organisation_id=org.pk,
            channel="portal",
            environment="production",
            request_type="incident",
            title="Publishing fails",
            description="Broken.",
            answers={
                "production": True,
                "blocked": True,
                "significant_impact": True,
                "cosmetic": False,
            },
            callback_number="+46 8 123 456 78",
        ),
    )
    return services.request_escalation(
        requester=customer,
        form={
            "incident": case.reference,
            "business_impact": "All channels down",
            "affected_users": "All 40 users",
            "contact": "Björn",
            "partner_extension": False,
        },
    )


def test_esc_6_the_client_s_partner_can_be_added_as_a_stakeholder(
    escalation: Escalation, emea_manager: Any
) -> None:
    partner = make_org(name="Bright Partners", kind="partner", region="emea")
    assert escalation.organization is not None
    escalation.organization.partner = partner
    escalation.organization.save(update_fields=["partner"])
    petra = _named(make_user(role=Role.PARTNER, organization=partner, username="petra"), "Petra")
    elsewhere = make_user(role=Role.PARTNER, organization=make_org(kind="partner"))
    c = client_for(emea_manager)
    url = f"/console/escalations/{escalation.pk}/"
    html = c.get(url).content.decode()
    assert f'<option value="{petra.pk}">Petra (Partner)</option>' in html
    assert f'<option value="{elsewhere.pk}">' not in html
    assert c.post(f"{url}do/subscribe", {"user": petra.pk}).status_code == 302
    assert escalation.subscriptions.filter(user=petra).exists()


def _accepted(esc: Escalation, manager: Any) -> Escalation:
    return services.accept_escalation(actor=manager, escalation_id=esc.pk, note="On it")


def test_a_manager_works_an_escalation_from_accept_to_close(
    escalation: Escalation, emea_manager: Any
) -> None:
    c = client_for(emea_manager)
    url = f"/console/escalations/{escalation.pk}/"
    html = c.get(url).content.decode()
    assert 'id="accept"' in html and "All channels down" in html
    assert c.post(f"{url}accept", {"note": "On it"}).status_code == 302
    assert "Acknowledge to the requester" in c.get(url).content.decode()
    c.post(f"{url}acknowledge", {"status_note": "Looking", "next_steps": "Logs"})
    page = c.post(f"{url}do/update", {"body": "Publishing restarted on one node."})
    assert page.status_code == 302 and page["Location"] == url
    c.post(f"{url}do/subscribe", {"email": "cto@nordic.example"})
    c.post(f"{url}do/await-client", {"troubleshooting_steps": "Clear the cache and retry."})
    escalation.refresh_from_db()
    assert escalation.status == "awaiting_client" and escalation.next_reminder_at is not None
    c.post(f"{url}do/client-response", {"message": "Still failing."})
    asked = c.post(f"{url}do/close", {"reason": "outside_core", "note": "A partner plug-in"})
    assert asked.status_code == 200 and 'id="escalation-confirm"' in asked.content.decode()
    escalation.refresh_from_db()
    assert escalation.status == "acknowledged" and escalation.closure_reason == ""
    page = c.post(
        f"{url}do/close",
        {"reason": "outside_core", "note": "A partner plug-in", "confirm": "yes"},
    )
    assert page.status_code == 302
    escalation.refresh_from_db()
    assert escalation.status == "closed" and escalation.closure_reason == "outside_core"
    html = c.get(url).content.decode()
    assert "cto@nordic.example" in html
    sub = escalation.subscriptions.get(email="cto@nordic.example")
    assert 'aria-label="Remove cto@nordic.example from the stakeholders"' in html
    assert c.post(f"{url}do/unsubscribe", {"subscription": sub.pk}).status_code == 302
    assert not escalation.subscriptions.filter(pk=sub.pk).exists()
    for text in (
        "Publishing restarted on one node.",
        "Clear the cache and retry.",
        "Still failing.",
    ):
        assert text in html
    assert "Root cause outside the core system (refer to partner)" in html
    assert 'id="close-escalation"' not in html  # nothing left to do


def test_the_close_form_offers_exactly_the_policys_closure_reasons(
    escalation: Escalation, emea_manager: Any
) -> None:
    html = client_for(emea_manager).get(f"/console/escalations/{escalation.pk}/").content.decode()
    select = html[html.index('name="reason" id="id_reason"') :]
    select = select[: select.index("</select>")]
    assert re.findall(r'<option value="([^"]*)"', select) == CLOSURE_KEYS


def test_an_unknown_closure_reason_is_refused_next_to_the_field(
    escalation: Escalation, emea_manager: Any
) -> None:
    _accepted(escalation, emea_manager)
    page = client_for(emea_manager).post(
        f"/console/escalations/{escalation.pk}/do/close", {"reason": "fixed-itself"}
    )
    assert page.status_code == 400
    html = page.content.decode()
    assert 'id="id_reason_error"' in html and "not one of the available choices" in html
    escalation.refresh_from_db()
    assert escalation.status == "accepted"


def test_an_empty_update_is_refused_next_to_the_field(
    escalation: Escalation, emea_manager: Any
) -> None:
    _accepted(escalation, emea_manager)
    services.acknowledge_escalation(
        actor=emea_manager, escalation_id=escalation.pk, status_note="s", next_steps="n"
    )
    page = client_for(emea_manager).post(
        f"/console/escalations/{escalation.pk}/do/update", {"body": ""}
    )
    assert page.status_code == 400
    assert 'id="id_body_error"' in page.content.decode()


def test_another_manager_takes_ownership_and_the_hand_over_is_recorded(
    escalation: Escalation, emea_manager: Any, na_manager: Any
) -> None:
    _accepted(escalation, emea_manager)
    c = client_for(na_manager)
    html = c.get(f"/console/escalations/{escalation.pk}/").content.decode()
    assert 'id="take-ownership"' in html
    assert c.post(f"/console/escalations/{escalation.pk}/take").status_code == 302
    escalation.refresh_from_db()
    assert escalation.manager == na_manager
    step = EscalationEvent.objects.filter(escalation=escalation, kind="handed_over").get()
    assert step.data["to"]["manager"] == "marcus" and step.data["from"]["manager"] == "elin"
    html = c.get(f"/console/escalations/{escalation.pk}/").content.decode()
    # The steps name the managers as people read them, not by their usernames.
    assert "Handed over</strong> from Elin (EMEA) to Marcus (NA)" in html
    assert "Assigned</strong> to Elin (EMEA)" in html


def test_a_hand_over_to_a_region_names_that_regions_manager(
    escalation: Escalation, emea_manager: Any, na_manager: Any
) -> None:
    _accepted(escalation, emea_manager)
    page = client_for(emea_manager).post(
        f"/console/escalations/{escalation.pk}/do/hand-over",
        {"region": "na", "note": "NA is open now"},
    )
    assert page.status_code == 302
    escalation.refresh_from_db()
    assert escalation.manager == na_manager and escalation.region == "na"


def test_the_page_names_the_escalations_region_and_leaves_it_out_before_it_has_one(
    escalation: Escalation, emea_manager: Any, na_manager: Any
) -> None:
    c = client_for(emea_manager)
    url = f"/console/escalations/{escalation.pk}/"
    assert escalation.region == ""  # not accepted yet: no acknowledging region
    html = c.get(url).content.decode()
    assert 'id="escalation-region"' not in html
    assert not re.search(r"<dt>Region</dt>\s*<dd[^>]*>\s*—", html)
    _accepted(escalation, emea_manager)
    c.post(f"{url}do/hand-over", {"region": "na", "note": "NA is open now"})
    escalation.refresh_from_db()
    assert escalation.region == "na"
    html = c.get(url).content.decode()
    # The policy's name of the region, not its key.
    assert '<dd id="escalation-region">North America</dd>' in html


def test_a_hand_over_needs_a_manager_or_a_region(escalation: Escalation, emea_manager: Any) -> None:
    _accepted(escalation, emea_manager)
    page = client_for(emea_manager).post(
        f"/console/escalations/{escalation.pk}/do/hand-over", {"note": "?"}
    )
    assert page.status_code == 400
    assert "Choose a manager or a region." in page.content.decode()


def test_agents_see_the_escalation_but_cannot_decide_or_close_it(
    escalation: Escalation, emea_manager: Any
) -> None:
    agent = make_user(role=Role.AGENT, team=make_team(region="emea"), username="ines")
    _accepted(escalation, emea_manager)
    c = client_for(agent)
    html = c.get(f"/console/escalations/{escalation.pk}/").content.decode()
    assert "Nordic Retail" in html
    assert 'id="close-escalation"' not in html and 'id="take-ownership"' not in html
    page = c.post(f"/console/escalations/{escalation.pk}/do/close", {"reason": "resolved"})
    assert page.status_code == 400
    escalation.refresh_from_db()
    assert escalation.status == "accepted"


def test_customers_cannot_open_the_console_escalation_page(
    escalation: Escalation, emea_manager: Any
) -> None:
    page = client_for(escalation.requester).get(f"/console/escalations/{escalation.pk}/")
    assert page.status_code == 404


def test_the_customer_sees_status_manager_and_updates_and_answers_on_the_case_page(
    escalation: Escalation, emea_manager: Any
) -> None:
    _accepted(escalation, emea_manager)
    services.acknowledge_escalation(
        actor=emea_manager,
        escalation_id=escalation.pk,
        status_note="Looking at the publisher",
        next_steps="Logs",
    )
    services.post_escalation_update(
        actor=emea_manager, escalation_id=escalation.pk, body="Restarted the publisher."
    )
    services.subscribe_to_escalation(
        actor=emea_manager, escalation_id=escalation.pk, email="secret@vendor.example"
    )
    services.await_client(
        actor=emea_manager, escalation_id=escalation.pk, troubleshooting_steps="Retry once."
    )
    customer: Client = client_for(escalation.requester)
    assert escalation.case is not None
    url = f"/portal/cases/{escalation.case.pk}/"
    html = customer.get(url).content.decode()
    assert "Awaiting the client" in html
    assert "Escalation Manager: Elin" in html
    assert "Restarted the publisher." in html and "Looking at the publisher" in html
    assert "Retry once." in html
    assert "secret@vendor.example" not in html  # stakeholders are internal
    page = customer.post(
        f"{url}escalations/{escalation.pk}/respond", {"message": "Retried: it works."}
    )
    assert page.status_code == 302
    escalation.refresh_from_db()
    assert escalation.status == "acknowledged"
    assert "Retried: it works." in customer.get(url).content.decode()


def test_the_board_links_each_escalation_to_its_page(
    escalation: Escalation, emea_manager: Any
) -> None:
    html = client_for(emea_manager).get("/console/escalations/").content.decode()
    assert f'href="/console/escalations/{escalation.pk}/"' in html
    page = client_for(emea_manager).post(
        f"/console/escalations/{escalation.pk}/accept", {"back": "board"}
    )
    assert page["Location"] == f"/console/escalations/#escalation-{escalation.pk}"


def test_a_live_escalation_stays_on_the_board_however_many_newer_ones_finished(
    escalation: Escalation, emea_manager: Any
) -> None:
    # The board read the 200 newest escalations of every status and sorted them into its
    # columns: a month-long live one dropped off once 200 newer ones had been declined.
    _accepted(escalation, emea_manager)
    finished = []
    for n in range(1, 202):
        copy = Escalation.objects.get(pk=escalation.pk)
        copy.pk = None
        copy.status = "declined"
        copy.requested_at = escalation.requested_at + dt.timedelta(minutes=n)
        finished.append(copy)
    Escalation.objects.bulk_create(finished)
    html = client_for(emea_manager).get("/console/escalations/").content.decode()
    live = html[html.index('Live <small class="muted">') :]
    live = live[: live.index("</section>")]
    assert live.startswith('Live <small class="muted">(1)</small>')
    assert f'href="/console/escalations/{escalation.pk}/"' in live
    assert 'Recently finished <small class="muted">(20)</small>' in html


def test_the_agents_case_page_links_to_its_escalation(
    escalation: Escalation, emea_manager: Any
) -> None:
    _accepted(escalation, emea_manager)
    assert escalation.case is not None
    html = client_for(emea_manager).get(f"/console/cases/{escalation.case.pk}/").content.decode()
    assert f'<a href="/console/escalations/{escalation.pk}/">Escalation {escalation.pk}</a>' in html
    assert "Escalated: handled first, at the highest priority" in html


def test_the_team_asks_the_requester_and_the_answer_on_the_case_page_resumes_the_decision(
    escalation: Escalation, emea_manager: Any, frozen_clock: Any
) -> None:
    c = client_for(emea_manager)
    url = f"/console/escalations/{escalation.pk}/"
    html = c.get(url).content.decode()
    assert 'id="escalation-decide-by"' in html and "EMEA escalation team" in html
    empty = c.post(f"{url}do/request-information", {"question": ""})
    assert empty.status_code == 400 and 'id="id_question_error"' in empty.content.decode()
    asked = c.post(f"{url}do/request-information", {"question": "Which channels fail?"})
    assert asked.status_code == 302
    escalation.refresh_from_db()
    assert escalation.decide_by is None
    html = c.get(url).content.decode()
    assert 'id="escalation-question"' in html and 'id="escalation-decide-by"' not in html
    assert 'id="request-information"' not in html  # one question at a time

    customer: Client = client_for(escalation.requester)
    assert escalation.case is not None
    case_url = f"/portal/cases/{escalation.case.pk}/"
    page = customer.get(case_url).content.decode()
    assert "The escalation team asks:" in page and "Which channels fail?" in page
    frozen_clock(dt.datetime(2026, 3, 11, 8, 0, tzinfo=dt.UTC))  # Wednesday 09:00 Stockholm
    sent = customer.post(
        f"{case_url}escalations/{escalation.pk}/respond", {"message": "All of them."}
    )
    assert sent.status_code == 302
    escalation.refresh_from_db()
    assert escalation.information_requested_at is None
    # Requested Tuesday 16:00 Stockholm with 4 hours to decide, asked at once: all 4 left.
    assert escalation.decide_by == dt.datetime(2026, 3, 11, 12, 0, tzinfo=dt.UTC)
    page = customer.get(case_url).content.decode()
    assert "All of them." in page and "The escalation team decides by" in page
    assert "Information provided" in c.get(url).content.decode()


def test_a_decline_without_a_reason_is_refused_on_the_page_in_swedish(
    escalation: Escalation, emea_manager: Any
) -> None:
    c = client_for(emea_manager)
    url = f"/console/escalations/{escalation.pk}/"
    page = c.post(
        f"{url}decline", {"reason": "", "note": ""}, HTTP_ACCEPT_LANGUAGE="sv", follow=True
    )
    html = page.content.decode()
    assert "välj ett av policyns avslagsskäl" in html
    assert "choose one of the policy's decline reasons" not in html
    escalation.refresh_from_db()
    assert escalation.status == "requested"


def test_a_service_refusal_reaches_the_console_page_in_swedish(
    escalation: Escalation, emea_manager: Any
) -> None:
    c = client_for(emea_manager)
    url = f"/console/escalations/{escalation.pk}/"
    assert c.post(f"{url}accept", {"note": "On it"}).status_code == 302
    # The service refuses an acknowledgement that says nothing of the status (ESC-6).
    page = c.post(
        f"{url}acknowledge",
        {"status_note": "", "next_steps": "Logs"},
        HTTP_ACCEPT_LANGUAGE="sv",
        follow=True,
    )
    html = page.content.decode()
    assert "Status: säg vad statusen är" in html
    assert "say what the status is" not in html
    # A step the escalation's state does not allow names the step and states in Swedish.
    again = c.post(
        f"{url}accept", {"note": "Twice"}, HTTP_ACCEPT_LANGUAGE="sv", follow=True
    ).content.decode()
    assert "kan inte godkänna: eskaleringen är godkänd" in again


def test_the_escalation_list_command_pages_like_case_list(
    escalation: Escalation, capsys: pytest.CaptureFixture[str]
) -> None:
    # It printed a bare list cut at --limit, with no way to the rest.
    copy = Escalation.objects.get(pk=escalation.pk)
    copy.pk = None
    copy.requested_at = escalation.requested_at + dt.timedelta(minutes=1)
    copy.save()
    assert cli.main(["escalation", "list", "--limit", "1"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert [e["id"] for e in first["items"]] == [copy.pk]
    assert first["limit"] == 1 and first["next_cursor"]
    assert cli.main(["escalation", "list", "--limit", "1", "--cursor", first["next_cursor"]]) == 0
    second = json.loads(capsys.readouterr().out)
    assert [e["id"] for e in second["items"]] == [escalation.pk]
    assert second["next_cursor"] is None


def test_esc_1_the_request_s_answers_are_shown_by_the_policy_s_labels(
    escalation: Escalation, emea_manager: Any
) -> None:
    html = client_for(emea_manager).get(f"/console/escalations/{escalation.pk}/").content.decode()
    facts = re.findall(r"<dt>([^<]*)</dt><dd>([^<]*)</dd>", html)
    assert ("Affected users or risk to business operations", "All 40 users") in facts
    assert ("Requester contact (name, email, phone)", "Björn") in facts
    assert ("Is the issue in a partner-built extension?", "No") in facts
    shown = [label for label, _ in facts]
    assert not {"Affected users", "Contact", "Partner extension"} & set(shown)
    # In the order the policy's form asks them.
    assert shown.index("Affected users or risk to business operations") < shown.index(
        "Requester contact (name, email, phone)"
    )
