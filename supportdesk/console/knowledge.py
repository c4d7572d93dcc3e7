"""The knowledge base on the agent console: articles (public and internal) listed and
searched, written and edited (each edit a new version), marked reviewed, removed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import NotFound
from supportdesk.console.answer_forms import ArticleForm
from supportdesk.console.views import staff_only, user_of
from supportdesk.domain.errors import DomainError
from supportdesk.knowledge import selectors, services
from supportdesk.knowledge.models import Article
from supportdesk.knowledge.render import article_html
from supportdesk.web.paging import keyset_page

PAGE_SIZE = 25


def _categories() -> list[tuple[int, str]]:
    return [(c.pk, c.name) for c in selectors.categories()]


def _article_or_404(user: User, article_id: int) -> Article:
    try:
        return selectors.access_article(user, article_id)
    except NotFound:
        raise Http404("article not found") from None


@staff_only
@require_http_methods(["GET", "POST"])
def article_list(request: HttpRequest) -> HttpResponse:
    """Every article, newest change first (or the best matches of ``q``), and a form
    for a new one."""
    user = user_of(request)
    form = ArticleForm(request.POST or None, categories=_categories())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            article = services.create_article(
                actor=user,
                draft=services.ArticleDraft(
                    title=data["title"],
                    body=data["body"],
                    visibility=data["visibility"],
                    category_id=data["category"],
                ),
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, f"Article “{article.title}” saved.")
            return redirect("console:article", article_id=article.pk)
    query = request.GET.get("q", "").strip()[:200]
    category = request.GET.get("category", "").strip()[:80]
    context: dict[str, Any] = {
        "form": form,
        "query": query,
        "category": category,
        "nav": "knowledge",
    }
    if query:
        context["found"] = selectors.search_articles(user, query, limit=PAGE_SIZE)
    else:
        listed = selectors.articles_visible_to(user)
        context["page"] = keyset_page(
            listed.filter(category__slug=category) if category else listed,
            params=request.GET,
            order=("-updated_at", "-id"),
            size=PAGE_SIZE,
        )
    return render(request, "console/articles.html", context, status=400 if form.errors else 200)


@staff_only
@require_http_methods(["GET", "POST"])
def article_edit(request: HttpRequest, article_id: int) -> HttpResponse:
    """One article: its text as readers see it, its versions, and the edit form
    (``reviewed`` marks it reviewed; ``delete`` removes it)."""
    user = user_of(request)
    article = _article_or_404(user, article_id)
    if request.method == "POST" and request.POST.get("reviewed"):
        services.mark_reviewed(actor=user, article_id=article.pk)
        messages.success(request, "Marked as reviewed today.")
        return redirect("console:article", article_id=article.pk)
    if request.method == "POST" and request.POST.get("delete"):
        services.delete_article(actor=user, article_id=article.pk)
        messages.success(request, f"Article “{article.title}” removed.")
        return redirect("console:articles")
    initial = {
        "title": article.title,
        "body": article.body,
        "visibility": article.visibility,
        "category": article.category_id,
    }
    form = ArticleForm(request.POST or None, categories=_categories(), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_article(
                actor=user,
                article_id=article.pk,
                changes=services.ArticleChanges(
                    title=data["title"],
                    body=data["body"],
                    visibility=data["visibility"],
                    category_id=data["category"],
                    clear_category=data["category"] is None,
                    note=data["note"],
                ),
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, "Article saved.")
            return redirect("console:article", article_id=article.pk)
    context = {
        "article": article,
        "body_html": article_html(article.body),
        "versions": list(selectors.article_versions(article)[:20]),
        "form": form,
        "nav": "knowledge",
    }
    return render(request, "console/article_edit.html", context, status=400 if form.errors else 200)
