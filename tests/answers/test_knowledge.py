"""The knowledge base: who sees which article, versions, search, deflections, links."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from supportdesk.accounts.permissions import Forbidden, NotFound
from supportdesk.cases import services as case_services
from supportdesk.cases.models import Case
from supportdesk.domain.errors import DomainError
from supportdesk.knowledge import selectors, services
from supportdesk.knowledge.models import Article, Deflection
from supportdesk.knowledge.render import article_html
from tests.answers.conftest import NOW, signed_in

pytestmark = pytest.mark.django_db


def test_internal_articles_are_never_shown_to_customers_or_visitors(
    export_article: Article, internal_article: Article, customer: Any, agent: Any
) -> None:
    assert set(selectors.articles_visible_to(agent)) == {export_article, internal_article}
    assert list(selectors.articles_visible_to(customer)) == [export_article]
    assert list(selectors.articles_visible_to(None)) == [export_article]
    for viewer in (customer, None):
        with pytest.raises(NotFound):
            selectors.access_article(viewer, internal_article.pk)
        assert internal_article not in selectors.search_articles(viewer, "arrivals export")


def test_the_help_centre_shows_public_articles_signed_out_and_hides_internal_ones(
    export_article: Article, internal_article: Article
) -> None:
    anonymous = Client()
    index = anonymous.get(reverse("public:help"))
    assert index.status_code == 200
    assert "Exporting the arrivals list" in index.content.decode()
    assert "internal workaround" not in index.content.decode()
    page = anonymous.get(reverse("public:help_article", args=[export_article.slug]))
    assert page.status_code == 200
    assert "<strong>Reports</strong>" in page.content.decode()
    hidden = anonymous.get(reverse("public:help_article", args=[internal_article.slug]))
    assert hidden.status_code == 404
    found = anonymous.get(reverse("public:help"), {"q": "replica"})
    assert "internal workaround" not in found.content.decode()


def test_a_search_finds_an_article_by_the_customer_s_words(export_article: Article) -> None:
    assert selectors.search_articles(None, "I cannot export arrivals") == [export_article]
    assert selectors.search_articles(None, "the and of") == []


def test_title_matches_rank_first(agent: Any, export_article: Article) -> None:
    body_only = services.create_article(
        actor=agent,
        draft=services.ArticleDraft(
            title="Reports overview", body="Arrivals can be exported too.", visibility="public"
        ),
        now=NOW + dt.timedelta(hours=1),
    )
    assert selectors.search_articles(None, "export arrivals") == [export_article, body_only]


def test_every_edit_is_a_new_version_with_who_and_why(
    export_article: Article, manager: Any
) -> None:
    later = NOW + dt.timedelta(days=1)
    edited = services.update_article(
        actor=manager,
        article_id=export_article.pk,
        changes=services.ArticleChanges(body="Reports → Arrivals → Export (CSV).", note="CSV"),
        now=later,
    )
    assert edited.version == 2
    versions = list(selectors.article_versions(edited))
    assert [(v.version, v.changed_by_id, v.note) for v in versions] == [
        (2, manager.pk, "CSV"),
        (1, export_article.created_by_id, "created"),
    ]
    # Saving the same text again stores nothing new.
    same = services.update_article(
        actor=manager, article_id=edited.pk, changes=services.ArticleChanges(title=edited.title)
    )
    assert same.version == 2


def test_marking_reviewed_records_the_date(export_article: Article, agent: Any) -> None:
    services.mark_reviewed(actor=agent, article_id=export_article.pk, now=NOW)
    assert Article.objects.get(pk=export_article.pk).reviewed_at == NOW


def test_customers_cannot_write_articles(customer: Any) -> None:
    with pytest.raises(Forbidden):
        services.create_article(actor=customer, draft=services.ArticleDraft(title="x", body="y"))


@pytest.mark.parametrize(
    ("draft", "field"),
    [
        ({"title": " ", "body": "b"}, "title"),
        ({"title": "t", "body": ""}, "body"),
        ({"title": "t", "body": "b", "visibility": "secret"}, "visibility"),
        ({"title": "t", "body": "b", "slug": "Not A Slug"}, "slug"),
        ({"title": "t", "body": "b", "category_id": 999}, "category_id"),
    ],
)
def test_bad_articles_are_refused_naming_the_field(
    agent: Any, draft: dict[str, Any], field: str
) -> None:
    with pytest.raises(DomainError) as caught:
        services.create_article(actor=agent, draft=services.ArticleDraft(**draft))
    assert caught.value.field == field


def test_markdown_is_rendered_and_scripts_are_not(agent: Any) -> None:
    html = article_html("# Title\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))")
    assert "<h1>Title</h1>" in html
    assert "<script>" not in html
    assert 'href="javascript' not in html


def test_a_customer_records_that_an_article_solved_it(
    export_article: Article, internal_article: Article, customer: Any, agent: Any
) -> None:
    deflection = services.record_deflection(
        actor=customer, article_id=export_article.pk, query="export arrivals", now=NOW
    )
    assert (deflection.organization_id, deflection.query) == (
        customer.organization_id,
        "export arrivals",
    )
    with pytest.raises(NotFound):
        services.record_deflection(actor=customer, article_id=internal_article.pk)
    with pytest.raises(Forbidden):
        services.record_deflection(actor=agent, article_id=export_article.pk)
    figures = selectors.deflections_by_article(NOW, NOW + dt.timedelta(days=1))
    assert [(f.slug, f.count) for f in figures] == [(export_article.slug, 1)]


def test_the_portal_suggests_matching_public_articles_while_typing(
    export_article: Article, internal_article: Article, customer: Any
) -> None:
    client = signed_in(customer)
    response = client.get(reverse("portal:report_suggestions"), {"title": "export arrivals"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Exporting the arrivals list" in body
    assert "internal workaround" not in body
    assert "This solved it" in body
    solved = client.post(
        reverse("portal:report_deflected"),
        {"article": export_article.pk, "query": "export arrivals"},
    )
    assert solved.status_code == 200
    assert "no case was opened" in solved.content.decode()
    assert Deflection.objects.get().article == export_article
    assert not Case.objects.exists()
    assert (
        client.post(
            reverse("portal:report_deflected"), {"article": internal_article.pk}
        ).status_code
        == 404
    )


def test_the_report_form_asks_for_suggestions(customer: Any) -> None:
    page = signed_in(customer).get(reverse("portal:report"))
    assert reverse("portal:report_suggestions") in page.content.decode()


def test_links_to_articles_in_public_replies_are_counted(
    export_article: Article, agent: Any, sev2_case: Case
) -> None:
    path = reverse("public:help_article", args=[export_article.slug])
    assert path.startswith(selectors.HELP_ARTICLE_PATH)
    case_services.add_comment(
        actor=agent,
        case_id=sev2_case.pk,
        body=f"See https://desk.example{path} twice {path}",
        now=NOW,
    )
    case_services.add_comment(
        actor=agent, case_id=sev2_case.pk, body=f"internal {path}", public=False, now=NOW
    )
    figures = selectors.most_linked_articles(NOW, NOW + dt.timedelta(days=1))
    assert [(f.slug, f.count) for f in figures] == [(export_article.slug, 1)]


def test_an_agent_inserts_an_article_link_into_the_reply_box(
    export_article: Article, agent: Any, sev2_case: Case
) -> None:
    client = signed_in(agent)
    found = client.get(reverse("console:case_articles", args=[sev2_case.pk]), {"q": "arrivals"})
    assert "Insert link" in found.content.decode()
    box = client.post(
        reverse("console:reply_with_article", args=[sev2_case.pk, export_article.pk]),
        {"body": "Hello,"},
    )
    html = box.content.decode()
    assert 'name="body"' in html
    assert "Hello," in html
    assert f"/help/articles/{export_article.slug}/" in html
