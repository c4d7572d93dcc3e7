"""Pages work under the Content-Security-Policy: the browser reports no violation, and
htmx and the site's scripts still run."""

from __future__ import annotations

from typing import Any

import pytest

from supportdesk.accounts.models import Role, User
from tests.e2e.conftest import login
from tests.factories import load_shipped_policies, make_org, make_team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-password"


@pytest.fixture
def people(db: None) -> dict[str, User]:
    policies = load_shipped_policies()
    org = make_org(region="na", policy=policies["partner-services"])
    agent = User.objects.create_user(
        username="nora",
        password=PASSWORD,
        role=Role.ADMIN,
        team=make_team(region="na"),
        is_staff=True,
        is_superuser=True,
    )
    customer = User.objects.create_user(
        username="alice", password=PASSWORD, role=Role.CUSTOMER, organization=org
    )
    return {"agent": agent, "customer": customer}


def _visit(browser: Any, base: str, username: str, paths: list[str]) -> list[str]:
    page = browser.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"{page.url}: {m.text}")
            if "Content Security Policy" in m.text or "Refused to" in m.text
            else None
        ),
    )
    login(page, base, username, PASSWORD)
    for path in paths:
        response = page.goto(f"{base}{path}")
        assert response is not None
        assert response.status < 400, path
        page.wait_for_load_state("networkidle")
        if path.startswith(("/console", "/portal")):
            assert page.evaluate("typeof htmx") == "object", path
    page.close()
    return problems


def test_no_page_breaks_the_policy(browser: Any, live_server: Any, people: dict[str, User]) -> None:
    base = live_server.url
    staff_pages = [
        "/console/",
        "/console/sprints/",
        "/console/daily-review/",
        "/console/escalations/",
        "/console/reports/",
        "/console/on-call/",
        "/accounts/password/change/",
        "/admin/",
        "/admin/accounts/user/",
        f"/admin/accounts/user/{people['agent'].pk}/change/",
        "/api/docs",
    ]
    customer_pages = ["/portal/", "/portal/report/", "/portal/support/"]
    problems = _visit(browser, base, "nora", staff_pages)
    problems += _visit(browser, base, "alice", customer_pages)
    assert problems == []
