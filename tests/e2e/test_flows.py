"""A customer reports a Sev2 through the triage questions and sees its promised response
time; an agent acknowledges it and the first-response SLA shows met."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from supportdesk import clock
from supportdesk.accounts.models import Role
from supportdesk.cases import services
from supportdesk.cases.clocks import refresh_clocks
from supportdesk.cases.drafts import CaseDraft
from supportdesk.cases.models import Case
from tests.e2e.conftest import login, shot
from tests.factories import answers_none, load_shipped_policies, make_org, make_team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-password"


@pytest.fixture
def people(db: None) -> dict[str, Any]:
    from supportdesk.accounts.models import User

    policies = load_shipped_policies()
    team = make_team(region="na")
    agent = User.objects.create_user(
        username="nora",
        password=PASSWORD,
        role=Role.AGENT,
        team=team,
        first_name="Nora",
        last_name="Bennett",
        time_zone="America/New_York",
    )
    org = make_org(name="Alpine Lodge Resorts", region="na", policy=policies["partner-services"])
    org.account_manager = agent
    org.save()
    customer = User.objects.create_user(
        username="alice",
        password=PASSWORD,
        role=Role.CUSTOMER,
        organization=org,
        first_name="Alice",
        last_name="Moreau",
        time_zone="America/Denver",
    )
    return {"agent": agent, "customer": customer, "org": org}


def report_sev2(page: Any, base: str) -> None:
    page.goto(f"{base}/portal/report/")
    page.fill("#id_title", "Room search fails for March dates")
    page.select_option("#id_request_type", "incident")
    page.select_option("#id_category", "other")
    page.fill("#id_description", "Searching availability returns an error page.")
    answers = {
        "cannot_book": "no",
        "cannot_update_rates": "no",
        "cannot_send_confirmations": "no",
        "platform_down": "no",
        "workaround": "no",
        "significant_impact": "yes",
        "cosmetic": "no",
    }
    for key, value in answers.items():
        page.check(f"#id_q_{key}_{0 if value == 'yes' else 1}")
    # The htmx partial shows the severity, why, and exactly the Sev2 fields (SEV-2, INT-4).
    page.wait_for_selector("#severity-result:has-text('Sev2')")
    page.wait_for_selector("#id_d_occurred_at_date")
    # The customer's own clock (America/Denver), read in their zone on the server.
    page.fill("#id_d_occurred_at_date", "2026-03-10")
    page.fill("#id_d_occurred_at_time", "08:30")
    page.fill("#id_d_area", "Booking engine")
    page.select_option("#id_d_activity", "search")
    page.fill("#id_d_search_parameters", "2 adults, 12-14 March")
    page.select_option("#id_d_scope", "one_function")
    page.fill("#id_d_details", "Every user sees it since this morning.")
    shot(page, "customer-sev2-report-form")
    page.click("button:has-text('Submit the report')")
    page.wait_for_load_state("networkidle")


def test_customer_reports_a_sev2_and_sees_its_promised_response(
    browser: Any, live_server: Any, people: dict[str, Any]
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    login(page, live_server.url, "alice", PASSWORD)
    report_sev2(page, live_server.url)
    assert "was opened as Sev2" in page.content()
    page.goto(f"{live_server.url}/portal/")
    row = page.locator("tr[data-case]").first
    assert "Sev2" in row.inner_text()
    promise = row.locator("td.promise").inner_text()
    assert "By " in promise and "(America/Denver)" not in promise
    assert row.locator("td.promise time").get_attribute("title") == "America/Denver"
    assert "first response within 24 hours of support hours" in promise
    shot(page, "customer-case-list")
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    login(phone, live_server.url, "alice", PASSWORD)
    phone.goto(f"{live_server.url}/portal/")
    shot(phone, "customer-case-list-phone")
    assert Case.objects.get().severity == 2


def test_agent_acknowledges_and_the_sla_shows_met(
    browser: Any, live_server: Any, people: dict[str, Any]
) -> None:
    customer_page = browser.new_page()
    login(customer_page, live_server.url, "alice", PASSWORD)
    report_sev2(customer_page, live_server.url)
    case = Case.objects.get()

    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    login(page, live_server.url, "nora", PASSWORD)
    assert page.url.endswith("/console/")
    page.wait_for_selector(f"tr[data-case='{case.reference}'] [data-due]")
    assert "due in" in page.locator(f"tr[data-case='{case.reference}'] td.sla-cell").inner_text()
    shot(page, "agent-queue")
    page.click(f"a:has-text('{case.reference}')")
    page.click("#acknowledge")
    page.wait_for_load_state("networkidle")
    assert page.locator("#case-status").inner_text() == "Acknowledged"
    clock_text = page.locator(".sla-clock[data-kind='first_response'] .sla-state").inner_text()
    assert "met" in clock_text
    shot(page, "agent-acknowledged-sla-met")
    case.refresh_from_db()
    assert case.status == "acknowledged" and case.first_response_at is not None


def test_after_hours_sev1_takes_the_emergency_path_and_needs_a_callback(
    browser: Any, live_server: Any, people: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Sunday 03:00 in New York: partner-services support is closed (INT-2).
    sunday = dt.datetime(2026, 3, 8, 8, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(clock, "now", lambda: sunday)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    login(page, live_server.url, "alice", PASSWORD)
    page.goto(f"{live_server.url}/portal/report/")
    assert "Support is closed now" in page.inner_text("#support-status")
    page.fill("#id_title", "Nobody can book")
    page.fill("#id_description", "The booking engine returns 500 for every guest.")
    for key in ("cannot_update_rates", "cannot_send_confirmations", "platform_down"):
        page.check(f"#id_q_{key}_1")
    for key in ("significant_impact", "cannot_book"):
        page.check(f"#id_q_{key}_0")
    page.check("#id_q_cosmetic_1")
    page.check("#id_q_workaround_1")
    page.wait_for_selector("#emergency-path")
    assert "pages the on-call engineer" in page.inner_text("#emergency-path")
    page.click("button:has-text('Submit the report')")
    page.wait_for_selector("#id_callback_number_error")
    shot(page, "customer-sev1-after-hours-needs-callback")
    page.fill("#id_callback_number", "+1 802 253 2905")
    page.click("button:has-text('Submit the report')")
    page.wait_for_load_state("networkidle")
    assert "was opened as Sev1" in page.content()
    case = Case.objects.get()
    assert case.severity == 1 and case.callback_number == "+18022532905"
    assert case.route_action == "page_on_call"


def test_the_queue_shows_warning_and_breach_states(
    browser: Any, live_server: Any, people: dict[str, Any]
) -> None:
    now = clock.now()
    customer, org = people["customer"], people["org"]
    sev1 = {"cannot_book": True, "workaround": False}
    opened = {
        "Warned Sev1": (now - dt.timedelta(hours=10), sev1),
        "Breached Sev1": (now - dt.timedelta(hours=13), sev1),
        "Fresh Sev1": (now - dt.timedelta(minutes=5), sev1),
    }
    for title, (at, changes) in opened.items():
        case, _ = services.open_case(
            customer,
            CaseDraft(
                organisation_id=org.pk,
                channel="portal",
                environment="production",
                request_type="incident",
                title=title,
                description="Down.",
                answers=answers_none(**changes),
                callback_number="+18022532905",
            ),
            now=at,
        )
        refresh_clocks(case, now=now)
    page = browser.new_page(viewport={"width": 1280, "height": 700})
    login(page, live_server.url, "nora", PASSWORD)
    breached = page.locator("tr:has-text('Breached Sev1')")
    warned = page.locator("tr:has-text('Warned Sev1')")
    fresh = page.locator("tr:has-text('Fresh Sev1')")
    assert "breached" in (breached.get_attribute("class") or "")
    assert "overdue by" in breached.locator("td.sla-cell").inner_text()
    assert "warning" in (warned.get_attribute("class") or "")
    assert "due in" in fresh.locator("td.sla-cell").inner_text()
    shot(page, "agent-queue-warning-and-breach")


def test_a_tour_of_the_demo_data(browser: Any, live_server: Any, db: None) -> None:
    """Every page renders on the demo data set; screenshots for a look by eye."""
    from supportdesk import demo

    load_shipped_policies()
    demo.seed()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    login(page, live_server.url, "nora", demo.DEMO_PASSWORD)
    for path, name in [
        ("/console/", "tour-queue"),
        ("/console/escalations/", "tour-escalations"),
        ("/console/on-call/", "tour-on-call"),
        ("/console/policy/", "tour-policy"),
        ("/console/phone-call/", "tour-phone-call"),
        ("/console/reports/?days=90", "tour-reports"),
        ("/console/sprints/", "tour-sprints"),
        ("/console/daily-review/", "tour-daily-review"),
    ]:
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, path
        shot(page, name)
    first = page.goto(f"{live_server.url}/console/")
    assert first is not None
    link = page.locator("tr[data-case] a").first
    if link.count():
        link.click()
        page.wait_for_load_state("networkidle")
        shot(page, "tour-case")
    # The demo's email case: its mail, and the first message with its inline screenshot.
    from supportdesk.intake.models import InboundMessage

    mail = InboundMessage.objects.order_by("received_at").first()
    assert mail is not None and mail.case_id is not None
    page.goto(f"{live_server.url}/console/cases/{mail.case_id}/mail/")
    shot(page, "tour-case-mail")
    page.goto(f"{live_server.url}/console/cases/{mail.case_id}/mail/{mail.pk}/")
    image = page.frame_locator("#mail-html").locator("img")
    assert image.evaluate("img => img.complete && img.naturalWidth") == 160
    shot(page, "tour-mail-message")
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    login(phone, live_server.url, "alice", demo.DEMO_PASSWORD)
    for path, name in [
        ("/portal/", "tour-portal-phone"),
        ("/portal/report/", "tour-report-phone"),
        ("/portal/support/", "tour-support-phone"),
    ]:
        response = phone.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, path
        shot(phone, name)


def test_login_and_the_queue_work_from_the_keyboard(
    browser: Any, live_server: Any, people: dict[str, Any]
) -> None:
    page = browser.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.focus("#id_username")
    page.keyboard.type("nora")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/console/")
    page.focus(".skip")
    page.keyboard.press("Enter")  # skip to content
    assert page.evaluate("document.activeElement.id") == "main"
