"""Tags and categories in a browser: an agent filters the queue by tags and keeps the
filter as a view; keeps knowledge-base categories and files an article in one; the
public help centre groups articles by category; a customer never sees tags."""

from __future__ import annotations

from typing import Any

import pytest

from supportdesk.accounts.models import Role, User
from supportdesk.answers import services as answers
from supportdesk.cases import services as case_services
from supportdesk.cases.drafts import CaseDraft
from supportdesk.knowledge import services as kb
from supportdesk.knowledge.models import Article, Category
from tests.e2e.conftest import login, shot
from tests.factories import answers_none, int4_details, load_shipped_policies, make_org, make_team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-password"


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    policies = load_shipped_policies()
    org = make_org(region="na", policy=policies["partner-services"])
    agent = User.objects.create_user(
        username="nora", password=PASSWORD, role=Role.AGENT, team=make_team(region="na")
    )
    customer = User.objects.create_user(
        username="alice", password=PASSWORD, role=Role.CUSTOMER, organization=org
    )
    cases = {}
    for title, tags in (
        ("Arrivals export cut short", ["exports", "known-issue"]),
        ("Nightly report missing", ["exports"]),
        ("Card payment declined", ["payments"]),
    ):
        case, _ = case_services.open_case(
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
        )
        answers.add_tags(actor=agent, case_id=case.pk, names=tags)
        cases[title] = case
    article = kb.create_article(
        actor=agent,
        draft=kb.ArticleDraft(
            title="Exporting the arrivals list", body="Press Export.", visibility="public"
        ),
    )
    return {"cases": cases, "article": article, "agent": agent}


def rows(page: Any) -> set[str]:
    return set(page.locator("tr[data-case]").evaluate_all("rs => rs.map(r => r.dataset.case)"))


def test_an_agent_filters_the_queue_by_tags_and_saves_the_view(
    browser: Any, live_server: Any, world: dict[str, Any]
) -> None:
    cases = world["cases"]
    page = browser.new_page()
    login(page, live_server.url, "nora", PASSWORD)
    page.goto(f"{live_server.url}/console/?view=all")
    assert len(rows(page)) == 3
    page.fill("#id_tag", "exports")
    page.press("#id_tag", "Enter")
    gone = cases["Card payment declined"].reference
    page.locator(f"tr[data-case='{gone}']").wait_for(state="detached", timeout=5000)
    assert rows(page) == {
        cases["Arrivals export cut short"].reference,
        cases["Nightly report missing"].reference,
    }
    page.fill("#id_tag", "exports, known-issue")
    page.press("#id_tag", "Enter")
    gone = cases["Nightly report missing"].reference
    page.locator(f"tr[data-case='{gone}']").wait_for(state="detached", timeout=5000)
    assert rows(page) == {cases["Arrivals export cut short"].reference}
    # Keep the two-tag filter as a view, straight from the filtered queue: the rail
    # lists it and it applies the tags.
    page.fill(".save-view input[name=name]", "Known export issues")
    page.click(".save-view button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Known export issues"
    assert rows(page) == {cases["Arrivals export cut short"].reference}
    assert page.input_value("#id_tag") == "exports,known-issue"
    # The search box's tag: term does the same.
    page.goto(f"{live_server.url}/console/?view=all&q=tag:payments")
    assert rows(page) == {cases["Card payment declined"].reference}
    shot(page, "tags-saved-view")
    # A bad tag is named, and the queue still lists.
    page.goto(f"{live_server.url}/console/?view=all&tag=no!")
    assert page.locator("#search-error").inner_text().startswith("Tags:")
    page.close()


def test_an_agent_keeps_categories_and_the_help_centre_groups_by_them(
    browser: Any, live_server: Any, world: dict[str, Any]
) -> None:
    article = world["article"]
    page = browser.new_page()
    login(page, live_server.url, "nora", PASSWORD)
    page.goto(f"{live_server.url}/console/knowledge/")
    page.click("#categories-link")
    page.fill("#category-form input[name=name]", "Reports")
    page.click("#category-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    category = Category.objects.get(name="Reports")
    page.fill(f"#cat-name-{category.pk}", "Reports and exports")
    page.click("form[aria-label='Rename Reports'] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "Reports and exports" in page.inner_text(".messages")
    # File the article in it from the article editor.
    page.goto(f"{live_server.url}/console/knowledge/{article.pk}/")
    page.select_option("select[name=category]", label="Reports and exports")
    page.click("#article-form button.primary")
    page.wait_for_load_state("networkidle")
    assert Article.objects.get(pk=article.pk).category_id == category.pk
    # A category holding an article is not deleted: the page says why.
    page.goto(f"{live_server.url}/console/knowledge/categories/")
    page.click("button[aria-label='Delete the category Reports and exports']")
    page.wait_for_load_state("networkidle")
    assert "still holds 1 article(s)" in page.inner_text(".messages")
    assert Category.objects.filter(pk=category.pk).exists()
    shot(page, "kb-categories")
    # Signed out, the help centre shows the article under its category.
    visitor = browser.new_page()
    visitor.goto(f"{live_server.url}/help/")
    section = visitor.locator("section.help-section[data-category=reports]")
    assert section.locator("h2").inner_text() == "Reports and exports"
    assert section.locator("a").first.inner_text() == "Exporting the arrivals list"
    visitor.close()
    page.close()


def test_a_customer_never_sees_tags(browser: Any, live_server: Any, world: dict[str, Any]) -> None:
    case = world["cases"]["Arrivals export cut short"]
    page = browser.new_page()
    login(page, live_server.url, "alice", PASSWORD)
    page.goto(f"{live_server.url}/portal/cases/{case.pk}/")
    text = page.inner_text("main")
    assert case.title in text
    assert "known-issue" not in text and "exports" not in text
    page.goto(f"{live_server.url}/portal/?tag=payments")
    assert "known-issue" not in page.content()
    page.close()
