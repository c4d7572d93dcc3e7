"""Finding work in the browser: the header search, the views rail, bulk actions and
saving a view, on the console's queue."""

from __future__ import annotations

import datetime as dt
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
NOW = dt.datetime(2026, 3, 10, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def data(db: None, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    monkeypatch.setattr(clock, "now", lambda: NOW)
    policies = load_shipped_policies()
    agent = User.objects.create_user(
        username="nora",
        password=PASSWORD,
        role=Role.AGENT,
        team=make_team(region="na"),
        first_name="Nora",
        last_name="Bennett",
    )
    org = make_org(name="Alpine Lodge Resorts", region="na", policy=policies["partner-services"])
    customer = User.objects.create_user(
        username="alice", password=PASSWORD, role=Role.CUSTOMER, organization=org
    )
    cases = []
    for title in ("Pelican rates stuck", "Heron photos missing", "Pelican invoice wrong"):
        case, _ = services.open_case(
            customer,
            CaseDraft(
                organisation_id=org.pk,
                channel="portal",
                environment="production",
                request_type="incident",
                title=title,
                description="Broken.",
                answers=answers_none(),
                details=int4_details(),
            ),
            now=NOW,
        )
        cases.append(case)
    services.add_comment(
        actor=agent, case_id=cases[1].pk, body="internal kestrel", public=False, now=NOW
    )
    return cases


def test_search_select_bulk_assign_and_save_a_view(
    browser: Any, live_server: Any, data: list[Any]
) -> None:
    page = browser.new_page()
    login(page, live_server.url, "nora", PASSWORD)
    page.goto(f"{live_server.url}/console/")
    # The header search finds a word of an internal note, highlighted.
    page.fill("#global-q", "kestrel")
    page.press("#global-q", "Enter")
    page.wait_for_load_state("networkidle")
    assert page.locator("tr[data-case]").count() == 1
    assert page.locator(".snippet mark").first.inner_text() == "kestrel"

    # The rail: nobody's cases yet, three unassigned in the region.
    page.goto(f"{live_server.url}/console/?saved=unassigned")
    assert page.locator("h1").inner_text() == "Unassigned in my region"
    assert page.locator("[data-view=unassigned] + .count").inner_text() == "3"

    # Select the two pelican cases and assign them to me in one go.
    page.goto(f"{live_server.url}/console/?q=pelican")
    for ref in (data[0].reference, data[2].reference):
        page.check(f"input[aria-label='Select {ref}']")
    page.select_option("#bulk-form select[name=action]", "assign")
    page.select_option("#bulk-form select[name=assignee]", label="Nora Bennett")
    page.click("#bulk-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "Changed 2" in page.locator(".messages").inner_text()
    page.goto(f"{live_server.url}/console/?saved=mine")
    assert page.locator("tr[data-case]").count() == 2
    assert page.locator("[data-view=mine] + .count").inner_text() == "2"

    # Save a search as a personal view; it joins the rail with its count.
    page.goto(f"{live_server.url}/console/?q=heron")
    page.fill(".save-view input[name=name]", "Herons")
    page.click(".save-view button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Herons"
    assert page.locator("tr[data-case]").count() == 1
    shot(page, "find-saved-view")
