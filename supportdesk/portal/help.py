"""The help centre: public knowledge-base articles for anyone, signed in or not, and
the articles suggested while a customer reports a problem (deflection at intake).

Internal articles never reach these pages: every read goes through
``knowledge.selectors`` with the viewer (``None`` when signed out), which shows
customers and visitors public articles only.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import NotFound
from supportdesk.domain.errors import DomainError
from supportdesk.knowledge import selectors, services
from supportdesk.knowledge.render import article_html
from supportdesk.portal.access import customer_only
from supportdesk.web.paging import keyset_page
from supportdesk.web.reasons import refusal

PAGE_SIZE = 25
#: Articles shown under each category on the help centre's front page.
SECTION_SIZE = 8
#: Articles suggested beside a report: a few, so the customer reads rather than scrolls.
SUGGESTIONS = 3


def _viewer(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) else None


@require_GET
def help_index(request: HttpRequest) -> HttpResponse:
    """Public articles grouped by category (each group's newest few, with a link to
    all of them), one category's articles a page at a time (``category``), or those
    matching ``q`` best first."""
    viewer = _viewer(request)
    query = request.GET.get("q", "").strip()[:200]
    slug = request.GET.get("category", "").strip()[:80]
    context: dict[str, object] = {"query": query, "nav": "help"}
    if query:
        context["found"] = selectors.search_articles(viewer, query, limit=PAGE_SIZE)
    elif slug or request.GET.get("others"):
        # ``others``: the articles in no category, a page at a time.
        category = selectors.categories().filter(slug=slug).first() if slug else None
        if slug and category is None:
            raise Http404("no such category")
        context["category"] = category
        context["others"] = category is None
        context["page"] = keyset_page(
            selectors.articles_visible_to(viewer).filter(category=category),
            params=request.GET,
            order=("-updated_at", "-id"),
            size=PAGE_SIZE,
        )
    else:
        context["sections"] = selectors.help_sections(viewer, per_section=SECTION_SIZE)
    return render(request, "portal/help_index.html", context)


@require_GET
def help_article(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        article = selectors.article_by_slug(_viewer(request), slug)
    except NotFound:
        raise Http404("no such article") from None
    return render(
        request,
        "portal/help_article.html",
        {"article": article, "body_html": article_html(article.body), "nav": "help"},
    )


@customer_only
@require_GET
def report_suggestions(request: HttpRequest) -> HttpResponse:
    """The htmx partial beside the report form: public articles matching what the
    customer has typed so far (title and description)."""
    typed = f"{request.GET.get('title', '')} {request.GET.get('description', '')}"[:2000]
    found = selectors.search_articles(_viewer(request), typed, limit=SUGGESTIONS)
    return render(
        request,
        "portal/_suggestions.html",
        {"found": found, "query": request.GET.get("title", "")[:200]},
    )


@customer_only
@require_POST
def report_deflected(request: HttpRequest) -> HttpResponse:
    """ "This solved it": record a deflection instead of opening a case."""
    viewer = _viewer(request)
    assert viewer is not None
    try:
        article_id = int(request.POST.get("article", ""))
        services.record_deflection(
            actor=viewer, article_id=article_id, query=request.POST.get("query", "")
        )
    except (ValueError, NotFound):
        raise Http404("no such article") from None
    except DomainError as exc:
        return HttpResponse(refusal(exc), status=400)
    messages.success(request, _("Glad the article helped: no case was opened."))
    return render(request, "portal/_deflected.html", {})
