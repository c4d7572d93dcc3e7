"""Answer work in a browser: a customer typing a report sees the matching public article
and records that it solved the problem; an agent answers a case with a macro in one
click; the help centre works signed out."""

from __future__ import annotations

from typing import Any

import pytest

from supportdesk.accounts.models import Role, User
from supportdesk.answers import services as answers
from supportdesk.cases import services as case_services
from supportdesk.cases.drafts import CaseDraft
from supportdesk.cases.models import Case
from supportdesk.knowledge import services as kb
from supportdesk.knowledge.models import Deflection
from tests.e2e.conftest import login, shot
from tests.factories import answers_none, int4_details, load_shipped_policies, make_org, make_team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-password"


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    policies = load_shipped_policies()
    org = make_org(region="na", policy=policies["partner-services"])
    agent = User.objects.create_user(
        username="nora",
        password=PASSWORD,
        first_name="Nora",
        role=Role.AGENT,
        team=make_team(region="na"),
    )
    customer = User.objects.create_user(
        username="alice",
        password=PASSWORD,
        first_name="Alice",
        role=Role.CUSTOMER,
        organization=org,
    )
    article = kb.create_article(
        actor=agent,
        draft=kb.ArticleDraft(
            title="Exporting the arrivals list",
            body="Open **Reports**, choose *Arrivals* and press Export.",
            visibility="public",
        ),
    )
    return {"agent": agent, "customer": customer, "article": article, "org": org}


def test_a_customer_typing_export_arrivals_is_helped_by_an_article(
    browser: Any, live_server: Any, world: dict[str, Any]
) -> None:
    page = browser.new_page()
    login(page, live_server.url, "alice", PASSWORD)
    page.goto(f"{live_server.url}/portal/report/")
    page.fill("#id_title", "")
    page.type("#id_title", "export arrivals", delay=20)
    suggestion = page.locator(".kb-suggestion")
    suggestion.first.wait_for(timeout=5000)
    assert "Exporting the arrivals list" in suggestion.first.inner_text()
    shot(page, "answers-deflection-suggested")
    page.click(f"#solved-{world['article'].pk}")
    page.locator("#deflected").wait_for(timeout=5000)
    assert Deflection.objects.get().article_id == world["article"].pk
    assert not Case.objects.exists()
    page.close()


def test_an_agent_answers_with_a_macro_in_one_click(
    browser: Any, live_server: Any, world: dict[str, Any]
) -> None:
    agent, customer = world["agent"], world["customer"]
    case, _ = case_services.open_case(
        customer,
        CaseDraft(
            organisation_id=world["org"].pk,
            channel="portal",
            environment="production",
            request_type="incident",
            title="Arrivals export fails",
            description="The export button does nothing.",
            answers=answers_none(significant_impact=True, workaround=False),
            details=int4_details(),
        ),
    )
    macro = answers.create_macro(
        actor=agent,
        draft=answers.MacroDraft(
            name="Need logs",
            body="Hello {{ requester.first_name }}, please send the logs for {{ case.reference }}.",
            status="waiting_on_customer",
            assignee_id=agent.pk,
        ),
    )
    page = browser.new_page()
    login(page, live_server.url, "nora", PASSWORD)
    page.goto(f"{live_server.url}/console/cases/{case.pk}/")
    page.click(f"#preview-{macro.pk}")
    page.locator(f"#macro-preview-{macro.pk}").wait_for(timeout=5000)
    assert "Hello Alice" in page.inner_text(f"#macro-preview-{macro.pk}")
    page.click(f"#apply-{macro.pk}")
    page.wait_for_load_state("networkidle")
    shot(page, "answers-macro-applied")
    assert "Applied “Need logs”" in page.inner_text(".messages")
    case.refresh_from_db()
    assert (case.status, case.assignee_id) == ("waiting_on_customer", agent.pk)
    page.close()


def test_the_help_centre_works_signed_out(
    browser: Any, live_server: Any, world: dict[str, Any]
) -> None:
    page = browser.new_page()
    page.goto(f"{live_server.url}/help/?q=export+arrivals")
    page.click("#help-results a")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("h1") == "Exporting the arrivals list"
    page.close()
