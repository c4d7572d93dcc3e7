"""Issue 23's customer portal in the browser: a Sev2 reported with the customer's local
time and no red before the submit, the local-time inputs around a DST change, what the
customer reported shown back, the contacts, a follow-the-sun customer's holidays and a
partner's organisation column. Screenshots go to test-artifacts/."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from supportdesk import clock
from supportdesk.accounts.models import OrganizationKind, Role, User
from supportdesk.cases.models import Case
from tests.e2e.conftest import login, shot
from tests.factories import load_shipped_policies, make_org, make_team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-password"
#: Tuesday 2026-03-10 09:00 in Denver: partner-services support is open.
OPEN = dt.datetime(2026, 3, 10, 15, 0, tzinfo=dt.UTC)
SEV2 = {
    "cannot_book": "no",
    "cannot_update_rates": "no",
    "cannot_send_confirmations": "no",
    "platform_down": "no",
    "workaround": "no",
    "significant_impact": "yes",
    "cosmetic": "no",
}


@pytest.fixture
def people(db: None, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setattr(clock, "now", lambda: OPEN)
    policies = load_shipped_policies()
    make_team(region="na")
    partner_org = make_org(name="Bright Partners", kind=OrganizationKind.PARTNER, region="na")
    org = make_org(name="Alpine Lodge Resorts", region="na", policy=policies["partner-services"])
    org.partner = partner_org
    org.save()
    nordic = make_org(name="Nordic Retail", region="emea", policy=policies["follow-the-sun"])

    def person(username: str, role: Role, organisation: Any, zone: str) -> User:
        return User.objects.create_user(
            username=username,
            password=PASSWORD,
            role=role,
            organization=organisation,
            first_name=username.capitalize(),
            time_zone=zone,
        )

    return {
        "customer": person("alice", Role.CUSTOMER, org, "America/Denver"),
        "partner": person("pat", Role.PARTNER, partner_org, "America/New_York"),
        "nordic": person("sven", Role.CUSTOMER, nordic, "Europe/Stockholm"),
        "org": org,
    }


def start_sev2(page: Any, base: str) -> None:
    """Fill the report up to the triage answers; the Sev2 fields appear."""
    page.goto(f"{base}/portal/report/")
    page.fill("#id_title", "Room search fails for March dates")
    page.select_option("#id_request_type", "incident")
    page.fill("#id_description", "Searching availability returns an error page.")
    for key, value in SEV2.items():
        page.check(f"#id_q_{key}_{0 if value == 'yes' else 1}")
    page.wait_for_selector("#severity-result:has-text('Sev2')")
    page.wait_for_selector("#id_d_occurred_at_date")


def fill_details(page: Any, date: str, time: str) -> None:
    page.fill("#id_d_occurred_at_date", date)
    page.fill("#id_d_occurred_at_time", time)
    page.fill("#id_d_area", "Booking engine")
    page.select_option("#id_d_activity", "booking")
    page.select_option("#id_d_scope", "one_function")
    page.fill("#id_d_details", "Every user sees it since this morning.")


def submit(page: Any) -> None:
    page.click("button:has-text('Submit the report')")
    page.wait_for_load_state("networkidle")


def no_red(page: Any) -> None:
    assert page.locator("#report-form .error, #report-form .has-error").count() == 0
    assert "is required" not in page.locator("#report-form").inner_text()


def test_a_customer_reports_a_sev2_in_local_time_and_sees_no_red_before_submitting(
    browser: Any, live_server: Any, people: dict[str, Any]
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    login(page, live_server.url, "alice", PASSWORD)
    start_sev2(page, live_server.url)
    no_red(page)
    assert page.locator("#id_d_occurred_at_zone").inner_text() == "America/Denver"
    shot(page, "portal-sev2-fields-no-red")
    fill_details(page, "2026-03-10", "08:30")
    no_red(page)  # changing an answer again swaps the fields in, still without errors
    shot(page, "portal-sev2-local-time-typed")
    submit(page)
    assert "was opened as Sev2" in page.content()
    case = Case.objects.get()
    # 08:30 MDT is 14:30 UTC.
    assert case.triage["intake"]["occurred_at"] == ["2026-03-10T14:30:00+00:00"]
    reported = page.locator("#reported").inner_text()
    assert "2026-03-10 08:30 MDT" in reported and "Booking engine" in reported
    assert page.locator("#more-attention").is_visible()
    assert "+1 888-492-3332" in page.locator("#more-attention").inner_text()
    assert "*" not in page.locator("label[for=id_file]").inner_text()
    shot(page, "portal-case-what-you-reported")


def test_the_local_time_inputs_around_a_dst_change(
    browser: Any, live_server: Any, people: dict[str, Any]
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    login(page, live_server.url, "alice", PASSWORD)
    start_sev2(page, live_server.url)
    # 02:30 on 8 March 2026 never happens in Denver: refused, naming the field.
    fill_details(page, "2026-03-08", "02:30")
    submit(page)
    error = page.locator("#id_d_occurred_at_error").inner_text()
    assert "2026-03-08 02:30 does not exist in America/Denver" in error
    assert "At least one concrete time" in page.locator("#error-summary").inner_text()
    shot(page, "portal-local-time-skipped")
    # 01:30 on 1 November 2026 happens twice: the page asks which.
    page.fill("#id_d_occurred_at_date", "2026-11-01")
    page.fill("#id_d_occurred_at_time", "01:30")
    submit(page)
    assert "happens twice in America/Denver" in page.locator("#id_d_occurred_at_error").inner_text()
    shot(page, "portal-local-time-ambiguous")
    page.check("input[name=d_occurred_at_fold][value='1']")
    submit(page)
    assert "was opened as Sev2" in page.content()
    assert Case.objects.get().triage["intake"]["occurred_at"] == ["2026-11-01T08:30:00+00:00"]


def test_a_follow_the_sun_customer_sees_emea_holidays_and_their_managers(
    browser: Any, live_server: Any, people: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2026, 12, 5, 10, 0, tzinfo=dt.UTC))
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    login(page, live_server.url, "sven", PASSWORD)
    page.goto(f"{live_server.url}/portal/report/")
    box = page.locator("#support-status").inner_text()
    assert "Christmas Eve (EMEA)" in box and "Wed 6 Jan 2027" in box
    assert "None in the next 90 days" not in box
    shot(page, "portal-follow-the-sun-holidays")
    page.goto(f"{live_server.url}/portal/support/")
    text = page.locator("main").inner_text()
    assert "Your Account Manager" in text and "Your Customer Success Manager" in text
    assert "follow_the_sun" not in text and "calendar)" not in text
    shot(page, "portal-follow-the-sun-support-page")


def test_partner_sees_the_organisation_column_and_filters_by_it(
    browser: Any, live_server: Any, people: dict[str, Any]
) -> None:
    customer = browser.new_page()
    login(customer, live_server.url, "alice", PASSWORD)
    start_sev2(customer, live_server.url)
    fill_details(customer, "2026-03-10", "08:30")
    submit(customer)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    login(page, live_server.url, "pat", PASSWORD)
    page.goto(f"{live_server.url}/portal/")
    assert page.locator("td.organisation").first.inner_text() == "Alpine Lodge Resorts"
    page.select_option("#id_org_filter", label="Alpine Lodge Resorts")
    page.click("button:has-text('Filter')")
    page.wait_for_load_state("networkidle")
    assert page.locator("tr[data-case]").count() == 1
    shot(page, "portal-partner-organisation-column")
    page.goto(f"{live_server.url}/portal/support/")
    assert "customercare@inntopia.com" in page.locator("#contacts").inner_text()
    shot(page, "portal-support-contacts")


def test_search_boxes_are_as_wide_as_their_fields(
    browser: Any, live_server: Any, people: dict[str, Any]
) -> None:
    """A search box is styled as the other text inputs: it filled a tenth of its field
    (the browser's default size) on the search page and in the help centre."""
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    login(page, live_server.url, "alice", PASSWORD)
    for path, box in (("/portal/search/?q=rates", "#portal-q"), ("/help/", "#help-q")):
        page.goto(f"{live_server.url}{path}")
        shot(page, f"search-box-{box[1:]}")
        widths = page.evaluate(
            "sel => [document.querySelector(sel).getBoundingClientRect().width,"
            " document.querySelector(sel).closest('.field').getBoundingClientRect().width]",
            box,
        )
        assert widths[0] >= widths[1] * 0.9, (path, widths)
