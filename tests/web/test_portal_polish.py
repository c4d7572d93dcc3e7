"""Issue 23's customer portal: no errors before a submit, times typed in the viewer's
zone, the intake shown back, the policy's contacts and holidays, a partner's
organisation column, per-type intake and the path without an escalation process."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from supportdesk.accounts.models import OrganizationKind, Role
from supportdesk.cases import services
from supportdesk.cases.drafts import CaseDraft
from supportdesk.cases.models import Case
from tests.factories import make_org, make_user
from tests.web.conftest import client_for, open_sev
from tests.web.report_form import sev2_report

pytestmark = pytest.mark.django_db


def _typed(date: str, time: str, **more: str) -> dict[str, str]:
    """The Sev2 report with its time typed into the pickers instead of as ISO text."""
    data = sev2_report(d_occurred_at="", d_occurred_at_date=date, d_occurred_at_time=time)
    data.update(more)
    return data


def test_the_live_triage_swap_shows_the_fields_but_no_error_before_a_submit(
    customer_client: Client, frozen_clock: Any
) -> None:
    blank = sev2_report(d_occurred_at="", d_area="", d_activity="", d_scope="", d_details="")
    html = customer_client.post("/portal/report/triage", blank).content.decode()
    assert "Sev2 · High" in html and 'name="d_area"' in html
    assert "is required" not in html
    assert "has-error" not in html and 'role="alert"' not in html


def test_a_submit_puts_each_error_next_to_its_field(
    customer_client: Client, frozen_clock: Any
) -> None:
    blank = sev2_report(d_occurred_at="", d_area="", d_scope="")
    page = customer_client.post("/portal/report/", blank)
    html = page.content.decode()
    assert page.status_code == 400
    assert 'id="id_d_area_error"' in html and 'id="id_d_occurred_at_error"' in html
    assert 'id="id_d_scope_error"' in html


def test_a_time_typed_in_denver_is_stored_as_its_utc_instant(
    customer_client: Client, frozen_clock: Any
) -> None:
    page = customer_client.post("/portal/report/", _typed("2026-03-10", "09:30"))
    assert page.status_code == 302
    case = Case.objects.get()
    # 09:30 MDT (UTC-6, DST began on 8 March) is 15:30 UTC.
    assert case.triage["intake"]["occurred_at"] == ["2026-03-10T15:30:00+00:00"]


def test_the_pickers_name_the_viewers_zone(customer_client: Client, frozen_clock: Any) -> None:
    html = customer_client.post("/portal/report/triage", _typed("", "")).content.decode()
    assert 'type="date" name="d_occurred_at_date"' in html
    assert 'type="time" name="d_occurred_at_time"' in html
    assert '<span class="zone" id="id_d_occurred_at_zone">America/Denver</span>' in html


def test_a_time_the_clocks_skip_is_refused_naming_the_field(
    customer_client: Client, frozen_clock: Any
) -> None:
    page = customer_client.post("/portal/report/", _typed("2026-03-08", "02:30"))
    html = page.content.decode()
    assert page.status_code == 400
    assert "2026-03-08 02:30 does not exist in America/Denver" in html
    assert 'id="id_d_occurred_at_error"' in html
    assert not Case.objects.exists()


def test_a_time_the_clocks_repeat_asks_which_offset_and_takes_the_answer(
    customer_client: Client, frozen_clock: Any
) -> None:
    page = customer_client.post("/portal/report/", _typed("2026-11-01", "01:30"))
    html = page.content.decode()
    assert page.status_code == 400
    assert "happens twice in America/Denver" in html
    assert 'name="d_occurred_at_fold" value="0"> 01:30 MDT (UTC-06:00)' in html
    assert 'name="d_occurred_at_fold" value="1"> 01:30 MST (UTC-07:00)' in html
    page = customer_client.post(
        "/portal/report/", _typed("2026-11-01", "01:30", d_occurred_at_fold="1")
    )
    assert page.status_code == 302
    assert Case.objects.get().triage["intake"]["occurred_at"] == ["2026-11-01T08:30:00+00:00"]


def test_the_api_still_refuses_an_instant_without_its_offset(
    customer: Any, organisation: Any, frozen_clock: Any
) -> None:
    from tests.cases.conftest import bearer
    from tests.factories import answers_none, int4_details

    body = {
        "organisation_id": organisation.pk,
        "channel": "api",
        "environment": "production",
        "request_type": "incident",
        "title": "Imports fail",
        "description": "Since noon.",
        "answers": answers_none(significant_impact=True, workaround=False),
        "details": int4_details(occurred_at=["2026-03-10T09:30"]),
    }
    response = bearer(customer).post("/api/cases", body, content_type="application/json")
    assert response.status_code in (400, 422)
    assert "details.occurred_at" in response.content.decode()
    assert "needs a time zone offset" in response.content.decode()


def test_a_password_request_is_not_asked_for_the_incident_details(
    customer_client: Client, frozen_clock: Any
) -> None:
    data = sev2_report(
        request_type="password", d_occurred_at="", d_area="", d_activity="", d_scope=""
    )
    html = customer_client.post("/portal/report/triage", data).content.decode()
    assert "Sev2" in html
    assert 'name="d_area"' not in html and 'name="d_occurred_at_date"' not in html
    page = customer_client.post("/portal/report/", data)
    assert page.status_code == 302
    assert Case.objects.get().triage["intake"] == {}


def test_the_customer_sees_what_they_reported_on_the_case_page(
    customer_client: Client, frozen_clock: Any
) -> None:
    customer_client.post("/portal/report/", _typed("2026-03-10", "09:30"))
    case = Case.objects.get()
    html = customer_client.get(f"/portal/cases/{case.pk}/").content.decode()
    assert "What you reported" in html
    assert "At least one concrete time the problem occurred" in html
    assert "2026-03-10 09:30 MDT" in html
    assert "The part of the application the user was working in" in html
    assert "Booking engine" in html
    assert "Is there a known workaround?" in html


def test_attach_a_file_is_not_marked_required_and_names_types_plainly(
    customer_client: Client, sev2_case: Case
) -> None:
    html = customer_client.get(f"/portal/cases/{sev2_case.pk}/").content.decode()
    assert 'Attach a file <span aria-hidden="true">*</span>' not in html
    assert "PDF, PNG, JPEG" in html and "ZIP, email message" in html
    page = customer_client.post(f"/portal/cases/{sev2_case.pk}/attachments", {})
    assert page.status_code == 400
    assert "Choose a file to attach." in page.content.decode()


def test_the_support_page_lists_the_policys_contacts(
    customer_client: Client, frozen_clock: Any
) -> None:
    html = customer_client.get("/portal/support/").content.decode()
    assert "How to reach support" in html
    assert 'href="mailto:customercare@inntopia.com"' in html
    assert ">+1 802-253-2905</a>" in html and ">+1 877-740-4143</a>" in html
    assert ">+1 888-492-3332</a>" in html
    assert "Your Strategic Account Manager" in html


def _follow_the_sun_customer(policies: Any) -> Any:
    org = make_org(name="Nordic Retail", region="emea", policy=policies["follow-the-sun"])
    user = make_user(role=Role.CUSTOMER, organization=org, username="sven")
    user.time_zone = "Europe/Stockholm"
    user.save()
    return user


def test_a_follow_the_sun_customer_sees_the_regions_holidays(
    policies: Any, frozen_clock: Any
) -> None:
    frozen_clock(dt.datetime(2026, 12, 5, 10, 0, tzinfo=dt.UTC))
    html = client_for(_follow_the_sun_customer(policies)).get("/portal/report/").content.decode()
    assert "None in the next 90 days" not in html
    for day in ("Thu 24 Dec 2026", "Fri 25 Dec 2026", "Sat 26 Dec 2026", "Thu 31 Dec 2026"):
        assert day in html
    assert "Fri 1 Jan 2027" in html and "Wed 6 Jan 2027" in html
    assert "Christmas Eve (EMEA)" in html


def test_a_follow_the_sun_customer_sees_its_account_and_success_managers(
    policies: Any, frozen_clock: Any
) -> None:
    html = client_for(_follow_the_sun_customer(policies)).get("/portal/support/").content.decode()
    assert "Your Account Manager" in html and "Your Customer Success Manager" in html


def test_without_an_escalation_process_the_case_page_says_what_to_do_instead(
    customer_client: Client, sev2_case: Case
) -> None:
    html = customer_client.get(f"/portal/cases/{sev2_case.pk}/").content.decode()
    assert "Needs more attention?" in html
    assert "This contract has no escalation process." in html
    assert ">+1 888-492-3332</a>" in html
    assert "Request an escalation" not in html


def test_with_an_escalation_process_the_case_page_offers_the_request(
    policies: Any, frozen_clock: Any
) -> None:
    customer = _follow_the_sun_customer(policies)
    case, _ = services.open_case(
        customer,
        CaseDraft(
            organisation_id=customer.organization.pk,
            channel="portal",
            environment="production",
            request_type="incident",
            title="Imports are slow",
            description="Since the release.",
            answers={
                "production": True,
                "blocked": False,
                "significant_impact": True,
                "cosmetic": False,
            },
        ),
    )
    html = client_for(customer).get(f"/portal/cases/{case.pk}/").content.decode()
    assert f"Request an escalation of {case.reference}" in html
    assert "Needs more attention?" not in html


def test_a_partners_list_names_each_cases_organisation_and_filters_by_it(
    policies: Any, organisation: Any, customer: Any, frozen_clock: Any
) -> None:
    partner_org = make_org(name="Bright Partners", kind=OrganizationKind.PARTNER, region="na")
    organisation.partner = partner_org
    organisation.save()
    other = make_org(name="Summit Inns", region="na", policy=policies["partner-services"])
    other.partner = partner_org
    other.save()
    ours = open_sev(customer, organisation, severity=2)
    theirs = open_sev(make_user(role=Role.CUSTOMER, organization=other), other, severity=3)
    c = client_for(make_user(role=Role.PARTNER, organization=partner_org))
    html = c.get("/portal/").content.decode()
    assert '<th scope="col">Organisation</th>' in html
    assert '<td data-label="Organisation" class="organisation">Summit Inns</td>' in html
    assert ours.reference in html and theirs.reference in html
    filtered = c.get(f"/portal/?organisation={other.pk}").content.decode()
    assert theirs.reference in filtered and ours.reference not in filtered
    # A customer of one organisation gets neither the column nor the filter.
    mine = client_for(customer).get("/portal/").content.decode()
    assert "Organisation</th>" not in mine and 'id="id_org_filter"' not in mine
