"""The reports page in the browser: its SVG charts render, the filter works, and each
table downloads as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest

from supportdesk import clock
from supportdesk.accounts.models import Role, User
from supportdesk.cases import services
from supportdesk.cases.drafts import CaseDraft
from tests.e2e.conftest import login, shot
from tests.factories import answers_none, int4_details, load_shipped_policies, make_org, make_team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-password"
NOW = dt.datetime(2026, 3, 10, 18, 0, tzinfo=dt.UTC)


@pytest.fixture
def data(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)
    policies = load_shipped_policies()
    agent = User.objects.create_user(
        username="nora",
        password=PASSWORD,
        role=Role.ADMIN,
        team=make_team(region="na"),
        first_name="Nora",
        last_name="Bennett",
        time_zone="America/New_York",
    )
    org = make_org(name="Alpine Lodge Resorts", region="na", policy=policies["partner-services"])
    customer = User.objects.create_user(
        username="alice", password=PASSWORD, role=Role.CUSTOMER, organization=org
    )
    for days, changes in [
        (0, {"significant_impact": True, "workaround": False}),
        (2, {}),
        (9, {"cosmetic": True}),
        (1, {"cannot_book": True, "workaround": False}),
    ]:
        at = NOW - dt.timedelta(days=days, hours=3)
        case, _ = services.open_case(
            customer,
            CaseDraft(
                organisation_id=org.pk,
                channel="portal",
                environment="production",
                request_type="incident",
                title=f"Problem from {days} days ago",
                description="Broken.",
                answers=answers_none(**changes),
                details=int4_details(),
                callback_number="+18022532905",
            ),
            now=at,
        )
        services.add_comment(
            actor=agent, case_id=case.pk, body="On it", public=True, now=at + dt.timedelta(hours=1)
        )
        if case.severity == 1:
            services.change_severity(
                actor=agent,
                case_id=case.pk,
                severity=2,
                reason="Bookings work again",
                now=at + dt.timedelta(hours=2),
            )


def test_the_reports_render_charts_filter_and_download_csv(
    browser: Any, live_server: Any, data: None
) -> None:
    page = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = page.new_page()
    login(page, live_server.url, "nora", PASSWORD)
    page.goto(f"{live_server.url}/console/reports/")
    for key in ("received", "sla-compliance", "first-response-times", "backlog", "sev1-downgrade"):
        assert page.locator(f"#report-{key} svg.bars rect").count() > 0, key
    assert page.locator("#report-escalations").count() == 1  # an admin sees escalations
    assert "Cases received" in page.inner_text("#headline")
    shot(page, "reports-desktop")

    with page.expect_download() as info:
        page.click("#report-sla-compliance a.csv")
    rows = list(csv.reader(io.StringIO(info.value.path().read_text())))
    assert rows[0] == ["Week of", "Severity", "Met", "Breached", "Compliance %"]
    assert info.value.suggested_filename.startswith("supportdesk-sla-compliance-")
    with page.expect_download() as info:
        page.click("#report-backlog a.csv")
    backlog = list(csv.reader(io.StringIO(info.value.path().read_text())))
    assert backlog[0][0] == "Severity" and backlog[0][-1] == "Total"

    page.fill("#id_start", "2026-03-09")
    page.fill("#id_end", "2026-03-10")
    page.select_option("#id_region", "na")
    page.click("#report-filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "start=2026-03-09" in page.url and "region=na" in page.url
    assert "from 2026-03-09 to 2026-03-10" in page.inner_text("#report-period")
    received = page.inner_text("#headline")
    assert "Cases received\n2" in received or "Cases received\t2" in received
    with page.expect_download() as info:
        page.click("#report-received a.csv")
    assert "start=2026-03-09" in info.value.url and "region=na" in info.value.url
    shot(page, "reports-filtered")

    phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    login(phone, live_server.url, "nora", PASSWORD)
    phone.goto(f"{live_server.url}/console/reports/")
    assert phone.locator("svg.bars rect").count() > 0
    shot(phone, "reports-phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
