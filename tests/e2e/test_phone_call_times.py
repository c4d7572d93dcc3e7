"""The console's phone-call form in the browser: the caller's time typed into date and
time pickers in the agent's zone, around a DST change. Screenshots go to test-artifacts/."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from supportdesk import clock
from supportdesk.accounts.models import Role, User
from supportdesk.cases.models import Case
from tests.e2e.conftest import login, shot
from tests.factories import load_shipped_policies, make_org, make_team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-password"
OPEN = dt.datetime(2026, 11, 3, 15, 0, tzinfo=dt.UTC)
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
def agent(db: None, monkeypatch: pytest.MonkeyPatch) -> User:
    monkeypatch.setattr(clock, "now", lambda: OPEN)
    policies = load_shipped_policies()
    make_org(name="Alpine Lodge Resorts", region="na", policy=policies["partner-services"])
    return User.objects.create_user(
        username="nora",
        password=PASSWORD,
        role=Role.AGENT,
        team=make_team(region="na"),
        first_name="Nora",
        time_zone="America/New_York",
    )


def test_an_agent_types_the_callers_time_around_a_dst_change(
    browser: Any, live_server: Any, agent: User
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    login(page, live_server.url, "nora", PASSWORD)
    page.goto(f"{live_server.url}/console/phone-call/")
    page.select_option("#id_organisation", label="Alpine Lodge Resorts")
    page.fill("#id_title", "Room search fails")
    page.select_option("#id_request_type", "incident")
    page.fill("#id_description", "The caller sees an error page when booking.")
    for key, value in SEV2.items():
        page.check(f"#id_q_{key}_{0 if value == 'yes' else 1}")
    assert page.locator("#id_d_occurred_at_zone").inner_text() == "America/New_York"
    # 01:30 on 1 November 2026 happens twice in New York: the form asks which.
    page.fill("#id_d_occurred_at_date", "2026-11-01")
    page.fill("#id_d_occurred_at_time", "01:30")
    page.fill("#id_d_area", "Booking engine")
    page.select_option("#id_d_activity", "booking")
    page.select_option("#id_d_scope", "one_function")
    page.fill("#id_d_details", "Every user sees it.")
    page.click("button:has-text('Log the call')")
    page.wait_for_load_state("networkidle")
    error = page.locator("#id_d_occurred_at_error").inner_text()
    assert "happens twice in America/New_York" in error
    shot(page, "console-phone-call-local-time-ambiguous")
    page.check("input[name=d_occurred_at_fold][value='1']")
    page.click("button:has-text('Log the call')")
    page.wait_for_load_state("networkidle")
    assert "Phone call logged as" in page.content()
    assert Case.objects.get().triage["intake"]["occurred_at"] == ["2026-11-01T06:30:00+00:00"]
