"""INT-2 in the browser: an after-hours Sev1 asks for a callback number and pages the
region's on-call engineer, whose page shows on the on-call view to acknowledge."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from supportdesk import clock
from supportdesk.accounts.models import Role, User
from supportdesk.cases.models import Case
from supportdesk.oncall.models import Layer, LayerParticipant, Page, Schedule
from tests.e2e.conftest import login, shot
from tests.factories import load_shipped_policies, make_org, make_team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-password"
#: Sunday 03:00 in New York: partner-services support is closed.
SUNDAY_NIGHT = dt.datetime(2026, 3, 8, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def people(db: None, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setattr(clock, "now", lambda: SUNDAY_NIGHT)
    policies = load_shipped_policies()
    team = make_team(region="na")
    engineer = User.objects.create_user(
        username="sam",
        password=PASSWORD,
        role=Role.AGENT,
        team=team,
        first_name="Sam",
        last_name="Ortiz",
        time_zone="America/New_York",
    )
    schedule = Schedule.objects.create(team=team, name="NA on-call", zone="America/New_York")
    layer = Layer.objects.create(
        schedule=schedule,
        name="primary",
        handoff_time=dt.time(9, 0),
        zone="America/New_York",
        period="daily",
        start=dt.date(2026, 3, 2),
    )
    LayerParticipant.objects.create(layer=layer, user=engineer, position=0)
    org = make_org(name="Alpine Lodge Resorts", region="na", policy=policies["partner-services"])
    User.objects.create_user(
        username="alice",
        password=PASSWORD,
        role=Role.CUSTOMER,
        organization=org,
        first_name="Alice",
        last_name="Moreau",
        time_zone="America/Denver",
    )
    return {"engineer": engineer}


def test_an_after_hours_sev1_needs_a_callback_and_pages_on_call(
    browser: Any, live_server: Any, people: dict[str, Any]
) -> None:
    base = live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    login(page, base, "alice", PASSWORD)
    page.goto(f"{base}/portal/report/")
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
    page.click("button:has-text('Submit the report')")
    page.wait_for_selector("#id_callback_number_error")
    assert not Case.objects.exists()
    page.fill("#id_callback_number", "+1 802 253 2905")
    page.click("button:has-text('Submit the report')")
    page.wait_for_load_state("networkidle")
    shot(page, "after-hours-sev1-submitted")
    assert "was opened as Sev1" in page.content()
    case = Case.objects.get()
    paged = Page.objects.get(case=case)
    assert paged.callback_number == "+18022532905" and paged.status == "paging"

    engineer = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    login(engineer, base, "sam", PASSWORD)
    engineer.goto(f"{base}/console/on-call/")
    row = engineer.locator(f"#page-{paged.pk}")
    assert case.reference in row.inner_text() and "+18022532905" in row.inner_text()
    assert "Sam Ortiz" in engineer.inner_text("td.sla-cell")  # on call now
    shot(engineer, "on-call-page-open")
    row.locator("button:has-text('Acknowledge')").click()
    engineer.wait_for_selector(f"#page-{paged.pk} .page-status:has-text('Acknowledged')")
    assert "by Sam Ortiz (Console)" in engineer.inner_text(f"#page-{paged.pk}")
    paged.refresh_from_db()
    assert paged.acknowledged_by == people["engineer"] and paged.acknowledged_via == "console"
    shot(engineer, "on-call-page-acknowledged")

    phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    login(phone, base, "sam", PASSWORD)
    phone.goto(f"{base}/console/on-call/")
    shot(phone, "on-call-phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
