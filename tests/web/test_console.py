"""The agent console: the queue in policy order, case actions, phone calls."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from supportdesk.cases.models import Case
from tests.factories import answers_none
from tests.web.conftest import yes_no
from tests.web.report_form import sev2_report

pytestmark = pytest.mark.django_db


def test_the_queue_lists_cases_in_policy_order_with_countdowns(
    agent_client: Client, customer: Any, organisation: Any, frozen_clock: Any
) -> None:
    from tests.web.conftest import open_sev

    sev3 = open_sev(customer, organisation, severity=3)
    sev1 = open_sev(customer, organisation, severity=1)
    sev2 = open_sev(customer, organisation, severity=2)
    html = agent_client.get("/console/").content.decode()
    order = [html.index(c.reference) for c in (sev1, sev2, sev3)]
    assert order == sorted(order)
    assert 'data-due="' in html and "due in" in html


def test_the_queue_filters_by_severity(
    agent_client: Client, customer: Any, organisation: Any, frozen_clock: Any
) -> None:
    from tests.web.conftest import open_sev

    sev3 = open_sev(customer, organisation, severity=3)
    sev2 = open_sev(customer, organisation, severity=2)
    html = agent_client.get("/console/?severity=2").content.decode()
    assert sev2.reference in html and sev3.reference not in html
    partial = agent_client.get("/console/?severity=3", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and sev3.reference in partial


def test_a_breached_case_stands_out(
    agent_client: Client, sev2_case: Case, frozen_clock: Any
) -> None:
    from supportdesk.cases.clocks import refresh_clocks

    later = frozen_clock(dt.datetime(2026, 3, 20, 15, 0, tzinfo=dt.UTC))
    refresh_clocks(sev2_case, now=later)
    html = agent_client.get("/console/").content.decode()
    assert 'class="breached"' in html and "overdue by" in html


def test_acknowledging_meets_the_first_response_target(
    agent_client: Client, sev2_case: Case, frozen_clock: Any
) -> None:
    detail = agent_client.get(f"/console/cases/{sev2_case.pk}/").content.decode()
    assert 'id="acknowledge"' in detail
    page = agent_client.post(f"/console/cases/{sev2_case.pk}/status", {"to": "acknowledged"})
    assert page.status_code == 302
    html = agent_client.get(page.url).content.decode()
    assert "First response met" in html
    assert 'id="acknowledge"' not in html
    sev2_case.refresh_from_db()
    assert sev2_case.status == "acknowledged"


def test_only_allowed_transitions_get_buttons(agent_client: Client, sev2_case: Case) -> None:
    html = agent_client.get(f"/console/cases/{sev2_case.pk}/").content.decode()
    assert 'name="to" value="in_progress"' in html
    assert 'name="to" value="resolved"' not in html
    assert 'name="to" value="closed"' not in html


def test_an_illegal_transition_is_refused_with_the_reason(
    agent_client: Client, sev2_case: Case
) -> None:
    page = agent_client.post(f"/console/cases/{sev2_case.pk}/status", {"to": "closed"})
    assert page.status_code == 400
    assert "cannot go from new to closed" in page.content.decode()


def test_a_severity_change_needs_a_reason_shown_next_to_the_field(
    agent_client: Client, sev2_case: Case
) -> None:
    page = agent_client.post(f"/console/cases/{sev2_case.pk}/severity", {"severity": "3"})
    assert page.status_code == 400
    assert 'id="id_reason_error"' in page.content.decode()
    page = agent_client.post(
        f"/console/cases/{sev2_case.pk}/severity", {"severity": "3", "reason": "Workaround found"}
    )
    assert page.status_code == 302
    sev2_case.refresh_from_db()
    assert sev2_case.severity == 3
    assert "Sev2 → Sev3: Workaround found" in agent_client.get(page.url).content.decode()


def test_an_internal_reply_and_an_assignment_from_the_console(
    agent_client: Client, agent: Any, sev2_case: Case
) -> None:
    page = agent_client.post(
        f"/console/cases/{sev2_case.pk}/reply", {"body": "Looking at logs", "internal": "on"}
    )
    assert page.status_code == 302
    assert sev2_case.comments.get().public is False
    page = agent_client.post(f"/console/cases/{sev2_case.pk}/assign", {"assignee": agent.pk})
    assert page.status_code == 302
    sev2_case.refresh_from_db()
    assert sev2_case.assignee == agent
    html = agent_client.get(page.url).content.decode()
    assert "Assignment changed</strong> nobody → Nora Bennett" in html


def test_logging_a_phone_call_opens_a_phone_case(
    agent_client: Client, organisation: Any, customer: Any, frozen_clock: Any
) -> None:
    assert agent_client.get("/console/phone-call/").status_code == 200
    data = {
        **sev2_report(),
        "organisation": organisation.pk,
        "requester": customer.pk,
        "override_severity": "",
        "override_reason": "",
    }
    page = agent_client.post("/console/phone-call/", data)
    assert page.status_code == 302, page.content.decode()[:2000]
    case = Case.objects.get()
    assert case.channel == "phone" and case.requester == customer and case.severity == 2


def test_a_phone_call_with_an_override_needs_a_reason(
    agent_client: Client, organisation: Any, frozen_clock: Any
) -> None:
    data = {**sev2_report(), "organisation": organisation.pk, "override_severity": "3"}
    page = agent_client.post("/console/phone-call/", data)
    assert page.status_code == 400
    assert 'id="id_override_reason_error"' in page.content.decode()


def test_a_phone_call_overridden_to_sev4_needs_no_details(
    agent_client: Client, organisation: Any, frozen_clock: Any
) -> None:
    data = {
        **sev2_report(d_occurred_at="", d_area="", d_activity="", d_scope="", d_details=""),
        "organisation": organisation.pk,
        "override_severity": "4",
        "override_reason": "Caller confirmed it is only a label typo",
    }
    page = agent_client.post("/console/phone-call/", data)
    assert page.status_code == 302
    case = Case.objects.get()
    assert case.severity == 4 and case.severity_basis == "override"


def test_a_phone_sev1_follow_up_can_be_marked_done(
    agent_client: Client, organisation: Any, customer: Any, frozen_clock: Any
) -> None:
    data = {
        **sev2_report(**yes_no(answers_none(cannot_book=True, workaround=False))),
        "organisation": organisation.pk,
        "requester": customer.pk,
        "callback_number": "+1 802 253 2905",
    }
    page = agent_client.post("/console/phone-call/", data)
    assert page.status_code == 302
    case = Case.objects.get()
    task = case.follow_ups.get()
    html = agent_client.get(page.url).content.decode()
    assert f'id="follow-up-{task.pk}"' in html and "Mark as done" in html
    done = agent_client.post(
        f"/console/cases/{case.pk}/follow-ups/{task.pk}/done", {"note": "Emailed Sam"}
    )
    assert done.status_code == 302
    task.refresh_from_db()
    assert task.status == "done" and task.note == "Emailed Sam"
