"""The server-rendered pages: who sees what, errors next to fields, the portal never
shows internal comments, and the console actions drive the case services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from supportdesk.cases import services
from supportdesk.cases.models import Case
from supportdesk.console.templatetags.desk import duration, localtime_in
from tests.factories import answers_none
from tests.web.conftest import AFTER_HOURS, client_for, yes_no

pytestmark = pytest.mark.django_db


def sev2_report(**changes: str) -> dict[str, str]:
    data = {
        "title": "Search results fail",
        "request_type": "incident",
        "category": "other",
        "environment": "production",
        "description": "Searching for rooms gives an error.",
        **yes_no(answers_none(significant_impact=True, workaround=False)),
        "d_occurred_at": "2026-03-10T09:30-05:00",
        "d_area": "Booking engine",
        "d_activity": "search",
        "d_search_parameters": "2 adults, 12-14 March",
        "d_scope": "one_function",
        "d_details": "All users see it.",
        "callback_number": "",
    }
    data.update(changes)
    return data


# Layout, login and the root redirect.


def test_the_login_page_renders_with_labelled_fields(client: Client) -> None:
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<label for="id_username">' in html
    assert '<label for="id_password">' in html
    assert "app.css" in html and "htmx" in html


def test_a_wrong_password_shows_the_error_on_the_login_page(client: Client, customer: Any) -> None:
    page = client.post("/accounts/login/", {"username": customer.username, "password": "nope"})
    assert page.status_code == 200
    assert 'role="alert"' in page.content.decode()


def test_the_root_sends_anonymous_visitors_to_login(client: Client, db: None) -> None:
    page = client.get("/")
    assert page.status_code == 302 and page.url.startswith("/accounts/login/")


def test_the_root_sends_customers_to_the_portal_and_agents_to_the_queue(
    customer_client: Client, agent_client: Client
) -> None:
    assert customer_client.get("/").url == "/portal/"
    assert agent_client.get("/").url == "/console/"


def test_the_nav_differs_by_role(customer_client: Client, agent_client: Client) -> None:
    portal = customer_client.get("/portal/").content.decode()
    console = agent_client.get("/console/").content.decode()
    assert "Report an incident" in portal and "Log a phone call" not in portal
    assert "Log a phone call" in console and "Report an incident" not in console
    assert "Times in America/Denver" in portal
    assert "Times in America/New_York" in console


def test_times_are_shown_in_the_viewers_zone_with_the_zone_named(customer: Any) -> None:
    at = dt.datetime(2026, 3, 10, 15, 0, tzinfo=dt.UTC)
    assert localtime_in(at, customer) == "2026-03-10 09:00 MDT (America/Denver)"
    assert duration(3600 * 26 + 300) == "1d 2h 05m"
    assert duration(-600) == "-10m"


# Who may see what.


def test_customers_get_404_from_the_console(customer_client: Client, sev2_case: Case) -> None:
    assert customer_client.get("/console/").status_code == 404
    assert customer_client.get(f"/console/cases/{sev2_case.pk}/").status_code == 404
    assert customer_client.get("/console/phone-call/").status_code == 404


def test_agents_are_sent_from_the_portal_to_the_console(agent_client: Client) -> None:
    page = agent_client.get("/portal/")
    assert page.status_code == 302 and page.url == "/console/"


def test_another_organisations_customer_gets_404_for_the_case(
    stranger: Any, sev2_case: Case
) -> None:
    c = client_for(stranger)
    assert c.get(f"/portal/cases/{sev2_case.pk}/").status_code == 404
    assert sev2_case.reference not in c.get("/portal/").content.decode()


# Portal.


def test_the_case_list_shows_status_severity_and_promised_response(
    customer_client: Client, sev2_case: Case
) -> None:
    html = customer_client.get("/portal/").content.decode()
    assert sev2_case.reference in html
    assert "New" in html and "Sev2" in html
    assert "first response within 24 hours of support hours" in html
    assert "By <time" in html and "(America/Denver)" in html


def test_the_customer_never_sees_internal_comments(
    customer_client: Client, agent_client: Client, agent: Any, sev2_case: Case
) -> None:
    services.add_comment(
        actor=agent, case_id=sev2_case.pk, body="Secret: check the DB", public=False
    )
    services.add_comment(actor=agent, case_id=sev2_case.pk, body="We are on it", public=True)
    portal = customer_client.get(f"/portal/cases/{sev2_case.pk}/").content.decode()
    assert "We are on it" in portal
    assert "Secret: check the DB" not in portal and "Internal note" not in portal
    console = agent_client.get(f"/console/cases/{sev2_case.pk}/").content.decode()
    assert "Secret: check the DB" in console and "Internal note" in console


def test_a_customer_reply_is_added_to_the_timeline(
    customer_client: Client, sev2_case: Case
) -> None:
    page = customer_client.post(f"/portal/cases/{sev2_case.pk}/", {"body": "More detail here"})
    assert page.status_code == 302
    assert "More detail here" in customer_client.get(page.url).content.decode()


def test_an_empty_reply_shows_the_error_next_to_the_field(
    customer_client: Client, sev2_case: Case
) -> None:
    page = customer_client.post(f"/portal/cases/{sev2_case.pk}/", {"body": ""})
    assert page.status_code == 400
    html = page.content.decode()
    assert 'id="id_body_error"' in html and 'aria-describedby="id_body_error"' in html


def test_the_intake_page_shows_support_hours_holidays_and_promises(
    customer_client: Client, frozen_clock: Any
) -> None:
    html = customer_client.get("/portal/report/").content.decode()
    assert "Support is open now" in html
    assert "Memorial Day" in html  # within 90 days of 10 March 2026
    assert "Sev1 Critical" in html and "around the clock" in html


def test_the_intake_page_names_the_next_opening_when_closed(
    customer_client: Client, frozen_clock: Any
) -> None:
    frozen_clock(AFTER_HOURS)
    html = customer_client.get("/portal/report/").content.decode()
    assert "Support is closed now" in html
    assert "Next opening" in html and "2026-03-09 07:00 MDT (America/Denver)" in html


def test_triage_partial_shows_the_severity_why_and_the_fields_it_needs(
    customer_client: Client, frozen_clock: Any
) -> None:
    page = customer_client.post("/portal/report/triage", sev2_report(), HTTP_HX_REQUEST="true")
    html = page.content.decode()
    assert "<html" not in html
    assert "Sev2 · High" in html
    assert "An important documented function cannot be used" in html
    for name in ("d_occurred_at", "d_area", "d_activity", "d_scope", "d_details"):
        assert f'name="{name}"' in html
    assert 'name="d_other_sites_reachable"' not in html  # INT-3 only for access/performance


def test_access_reports_ask_the_not_local_questions(
    customer_client: Client, frozen_clock: Any
) -> None:
    html = customer_client.post(
        "/portal/report/triage", sev2_report(category="access")
    ).content.decode()
    assert 'name="d_other_sites_reachable"' in html and 'name="d_other_sites_fast"' in html


def test_a_sev4_needs_no_intake_details(customer_client: Client, frozen_clock: Any) -> None:
    html = customer_client.post(
        "/portal/report/triage", sev2_report(**yes_no(answers_none(cosmetic=True)))
    ).content.decode()
    assert "Sev4" in html and 'name="d_area"' not in html


def test_a_non_urgent_request_is_steered_to_the_standard_queue(
    customer_client: Client, frozen_clock: Any
) -> None:
    html = customer_client.post(
        "/portal/report/triage",
        sev2_report(
            request_type="password", **yes_no(answers_none(platform_down=True, workaround=False))
        ),
    ).content.decode()
    assert 'id="standard-queue"' in html and "Sev2" in html
    assert "Lowered to Sev2" in html
    assert 'id="emergency-path"' not in html


def test_an_after_hours_sev1_shows_the_emergency_path_and_asks_for_a_callback(
    customer_client: Client, frozen_clock: Any
) -> None:
    frozen_clock(AFTER_HOURS)
    sev1 = sev2_report(**yes_no(answers_none(cannot_book=True, workaround=False)))
    html = customer_client.post("/portal/report/triage", sev1).content.decode()
    assert 'id="emergency-path"' in html and "pages the on-call engineer" in html
    assert 'name="callback_number"' in html
    page = customer_client.post("/portal/report/", sev1)
    assert page.status_code == 400
    assert 'id="id_callback_number_error"' in page.content.decode()
    page = customer_client.post("/portal/report/", {**sev1, "callback_number": "+1 802 253 2905"})
    assert page.status_code == 302
    case = Case.objects.get(title="Search results fail")
    assert case.severity == 1 and case.callback_number == "+18022532905"


def test_a_sev2_report_missing_details_shows_each_error_next_to_its_field(
    customer_client: Client, frozen_clock: Any
) -> None:
    page = customer_client.post(
        "/portal/report/", sev2_report(d_occurred_at="", d_area="", d_search_parameters="")
    )
    assert page.status_code == 400
    html = page.content.decode()
    for name in ("d_occurred_at", "d_area", "d_search_parameters"):
        assert f'id="id_{name}_error"' in html
    assert "give at least one concrete time" in html
    assert not Case.objects.exists()


def test_a_complete_sev2_report_opens_the_case(
    customer_client: Client, customer: Any, frozen_clock: Any
) -> None:
    page = customer_client.post("/portal/report/", sev2_report(), follow=True)
    case = Case.objects.get()
    assert case.severity == 2 and case.requester == customer and case.channel == "portal"
    assert case.reference in page.content.decode()


def test_unanswered_questions_show_errors(customer_client: Client, frozen_clock: Any) -> None:
    data = sev2_report()
    del data["q_workaround"]
    page = customer_client.post("/portal/report/", data)
    assert page.status_code == 400
    assert 'id="id_q_workaround_error"' in page.content.decode()


# Console.


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


def test_an_error_summary_links_to_each_faulty_field(
    customer_client: Client, frozen_clock: Any
) -> None:
    page = customer_client.post("/portal/report/", sev2_report(title="", d_area=""))
    html = page.content.decode()
    assert 'id="error-summary"' in html
    assert 'href="#id_title_error"' in html and 'href="#id_d_area_error"' in html


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


def test_a_partner_reports_for_a_client_organisation(
    policies: Any, organisation: Any, frozen_clock: Any
) -> None:
    from supportdesk.accounts.models import OrganizationKind, Role
    from tests.factories import make_org, make_user

    partner_org = make_org(name="Bright Partners", kind=OrganizationKind.PARTNER, region="na")
    organisation.partner = partner_org
    organisation.save()
    partner = make_user(role=Role.PARTNER, organization=partner_org)
    c = client_for(partner)
    html = c.get(f"/portal/report/?organisation={organisation.pk}").content.decode()
    assert "Reporting for" in html and "Report an incident for Alpine Lodge Resorts" in html
    page = c.post("/portal/report/", {**sev2_report(), "organisation": organisation.pk})
    assert page.status_code == 302
    case = Case.objects.get()
    assert case.organization == organisation and case.requester == partner


def test_a_customer_cannot_report_for_another_organisation(
    customer_client: Client, stranger: Any, frozen_clock: Any
) -> None:
    other = stranger.organization
    page = customer_client.post("/portal/report/", {**sev2_report(), "organisation": other.pk})
    assert page.status_code == 302
    assert Case.objects.get().organization != other
