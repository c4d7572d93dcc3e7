"""The customer portal: the case list and its promises, the public timeline and replies,
and reporting an incident through the triage questions."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from supportdesk.cases import services
from supportdesk.cases.drafts import CaseDraft
from supportdesk.cases.models import Case
from tests.factories import answers_none
from tests.web.conftest import AFTER_HOURS, client_for, yes_no
from tests.web.report_form import sev2_report

pytestmark = pytest.mark.django_db


def test_another_organisations_customer_gets_404_for_the_case(
    stranger: Any, sev2_case: Case
) -> None:
    c = client_for(stranger)
    assert c.get(f"/portal/cases/{sev2_case.pk}/").status_code == 404
    assert sev2_case.reference not in c.get("/portal/").content.decode()


def test_the_case_list_shows_status_severity_and_promised_response(
    customer_client: Client, sev2_case: Case
) -> None:
    html = customer_client.get("/portal/").content.decode()
    assert sev2_case.reference in html
    assert "New" in html and "Sev2" in html
    assert "first response within 24 hours of support hours" in html
    assert "By <time" in html and 'title="America/Denver"' in html
    assert "(America/Denver)" not in html


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


def test_a_case_waiting_on_the_customer_is_handed_back_not_reopened(
    customer_client: Client, agent: Any, sev2_case: Case
) -> None:
    url = f"/portal/cases/{sev2_case.pk}/"
    services.transition_case(actor=agent, case_id=sev2_case.pk, to="waiting_on_customer")
    waiting = customer_client.get(url).content.decode()
    assert "Done: back to the support team" in waiting
    assert "reopen" not in waiting  # the case was never closed
    services.transition_case(actor=agent, case_id=sev2_case.pk, to="in_progress")
    services.transition_case(actor=agent, case_id=sev2_case.pk, to="workaround_provided")
    assert "Not fixed: reopen" in customer_client.get(url).content.decode()


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
    assert "Next opening" in html and "2026-03-09 07:00 MDT" in html
    assert "MDT (America/Denver)" not in html


def test_triage_partial_shows_the_severity_why_and_the_fields_it_needs(
    customer_client: Client, frozen_clock: Any
) -> None:
    page = customer_client.post("/portal/report/triage", sev2_report(), HTTP_HX_REQUEST="true")
    html = page.content.decode()
    assert "<html" not in html
    assert "Sev2 · High" in html
    assert "An important documented function cannot be used" in html
    for name in ("d_occurred_at_date", "d_occurred_at_time", "d_area", "d_activity", "d_scope"):
        assert f'name="{name}"' in html
    assert 'name="d_details"' in html
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


def test_an_error_summary_links_to_each_faulty_field(
    customer_client: Client, frozen_clock: Any
) -> None:
    page = customer_client.post("/portal/report/", sev2_report(title="", d_area=""))
    html = page.content.decode()
    assert 'id="error-summary"' in html
    assert 'href="#id_title_error"' in html and 'href="#id_d_area_error"' in html


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


def _fts_case(policies: Any) -> tuple[Any, Any]:
    from supportdesk.accounts.models import Role
    from tests.factories import make_org, make_user

    org = make_org(name="Nordic Retail", region="na", policy=policies["follow-the-sun"])
    customer = make_user(role=Role.CUSTOMER, organization=org)
    case, _ = services.open_case(
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
    return customer, case


def test_a_customer_requests_an_escalation_and_sees_the_outcome(
    policies: Any, frozen_clock: Any
) -> None:
    customer, case = _fts_case(policies)
    c = client_for(customer)
    html = c.get(f"/portal/cases/{case.pk}/").content.decode()
    assert "Request an escalation of" in html and 'name="business_impact"' in html
    missing = c.post(f"/portal/cases/{case.pk}/escalate", {"affected_users": "All"})
    assert missing.status_code == 400
    assert 'id="id_business_impact_error"' in missing.content.decode()
    page = c.post(
        f"/portal/cases/{case.pk}/escalate",
        {
            "business_impact": "No product data reaches any channel",
            "affected_users": "All 40 users",
            "contact": "Björn, +46 8 123 456 78",
            "partner_extension": "no",
        },
        follow=True,
    )
    html = page.content.decode()
    assert "Escalation requested" in html
    assert case.escalations.get().business_impact == "No product data reaches any channel"


def test_no_escalation_form_where_the_contract_has_none(
    customer_client: Client, sev2_case: Case
) -> None:
    html = customer_client.get(f"/portal/cases/{sev2_case.pk}/").content.decode()
    assert "Request an escalation" not in html
    page = customer_client.post(f"/portal/cases/{sev2_case.pk}/escalate", {})
    assert page.status_code == 404
