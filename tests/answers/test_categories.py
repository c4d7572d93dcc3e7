"""Knowledge-base categories: kept by staff (API and console), refused when deleted
while holding articles, and the help centre grouping public articles by them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from supportdesk.knowledge import services as kb
from supportdesk.knowledge.models import Article, Category
from tests.answers.conftest import NOW, signed_in
from tests.cases.conftest import bearer

pytestmark = pytest.mark.django_db


def send(client: Any, method: str, url: str, body: Any) -> Any:
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def reports(agent: Any) -> Category:
    return kb.create_category(actor=agent, name="Reports and exports", position=1)


def test_staff_create_rename_and_delete_a_category_through_the_api(agent: Any) -> None:
    client = bearer(agent)
    made = send(client, "post", "/api/articles/categories", {"name": "  Billing  "})
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["name"], body["slug"]) == ("Billing", "billing")
    url = f"/api/articles/categories/{body['id']}"
    renamed = send(client, "patch", url, {"name": "Invoices and billing", "position": 5})
    assert renamed.json() == {"id": body["id"], "name": "Invoices and billing", "slug": "billing"}
    listed = client.get("/api/articles/categories").json()["items"]
    assert [(c["name"], c["position"], c["article_count"]) for c in listed] == [
        ("Invoices and billing", 5, 0)
    ]
    assert client.delete(url).status_code == 204
    assert not Category.objects.exists()


def test_a_duplicate_or_blank_category_name_is_a_400_naming_name(
    agent: Any, reports: Category
) -> None:
    client = bearer(agent)
    for name in ("reports and EXPORTS", "   ", "!!!"):
        refused = send(client, "post", "/api/articles/categories", {"name": name})
        assert (refused.status_code, refused.json()["field"]) == (400, "name"), name


def test_a_category_holding_articles_is_not_deleted(
    agent: Any, reports: Category, export_article: Article
) -> None:
    kb.update_article(
        actor=agent,
        article_id=export_article.pk,
        changes=kb.ArticleChanges(category_id=reports.pk),
        now=NOW,
    )
    refused = bearer(agent).delete(f"/api/articles/categories/{reports.pk}")
    assert refused.status_code == 409
    assert "holds 1 article" in refused.json()["detail"]
    assert Category.objects.filter(pk=reports.pk).exists()


def test_customers_read_categories_with_public_counts_but_cannot_change_them(
    customer: Any, agent: Any, reports: Category, internal_article: Article
) -> None:
    kb.update_article(
        actor=agent,
        article_id=internal_article.pk,
        changes=kb.ArticleChanges(category_id=reports.pk),
        now=NOW,
    )
    client = bearer(customer)
    listed = client.get("/api/articles/categories").json()["items"]
    assert [(c["slug"], c["article_count"]) for c in listed] == [("reports-and-exports", 0)]
    assert bearer(agent).get("/api/articles/categories").json()["items"][0]["article_count"] == 1
    refused = send(client, "post", "/api/articles/categories", {"name": "Mine"})
    assert refused.status_code == 403
    gone = client.delete(f"/api/articles/categories/{reports.pk}")
    assert gone.status_code == 403


def test_the_console_adds_renames_and_refuses_to_delete_a_used_category(
    agent: Any, reports: Category, export_article: Article
) -> None:
    client = signed_in(agent)
    added = client.post("/console/knowledge/categories/", {"name": "Sign-in", "position": "3"})
    assert added.status_code == 302
    made = Category.objects.get(name="Sign-in")
    client.post(f"/console/knowledge/categories/{made.pk}/", {"name": "Account and sign-in"})
    assert Category.objects.get(pk=made.pk).name == "Account and sign-in"
    # The article editor moves the article into the category.
    client.post(
        f"/console/knowledge/{export_article.pk}/",
        {
            "title": export_article.title,
            "body": export_article.body,
            "visibility": "public",
            "category": str(reports.pk),
        },
    )
    assert Article.objects.get(pk=export_article.pk).category_id == reports.pk
    page = client.post(
        f"/console/knowledge/categories/{reports.pk}/", {"delete": "1"}, follow=True
    ).content.decode()
    assert "still holds 1 article(s)" in page
    assert Category.objects.filter(pk=reports.pk).exists()
    deleted = client.post(f"/console/knowledge/categories/{made.pk}/", {"delete": "1"})
    assert deleted.status_code == 302
    assert not Category.objects.filter(pk=made.pk).exists()
    duplicate = client.post("/console/knowledge/categories/", {"name": "reports and exports"})
    assert duplicate.status_code == 400
    assert "already a category" in duplicate.content.decode()


def test_customers_have_no_categories_page(customer: Any) -> None:
    assert signed_in(customer).get("/console/knowledge/categories/").status_code == 404


def test_the_help_centre_groups_public_articles_by_category(
    agent: Any, reports: Category, export_article: Article, internal_article: Article
) -> None:
    for article in (export_article, internal_article):
        kb.update_article(
            actor=agent,
            article_id=article.pk,
            changes=kb.ArticleChanges(category_id=reports.pk),
            now=NOW,
        )
    loose = kb.create_article(
        actor=agent,
        draft=kb.ArticleDraft(
            title="Changing your time zone", body="Settings.", visibility="public"
        ),
        now=NOW,
    )
    page = Client().get("/help/").content.decode()
    assert page.index("Reports and exports") < page.index(export_article.title)
    assert page.index(export_article.title) < page.index("Other articles")
    assert page.index("Other articles") < page.index(loose.title)
    assert internal_article.title not in page
    one = Client().get("/help/?category=reports-and-exports").content.decode()
    assert export_article.title in one and loose.title not in one
    assert internal_article.title not in one
    others = Client().get("/help/?others=1").content.decode()
    assert loose.title in others and export_article.title not in others
    assert Client().get("/help/?category=nothing-here").status_code == 404
