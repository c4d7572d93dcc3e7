"""Customers search their organisation's cases: the public text only (never an
internal note), through the same visibility rule as every other page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from supportdesk.cases.search.selectors import (
    SEARCH_ORDER,
    search_before,
    search_cases,
    search_forward,
    snippets,
)
from supportdesk.domain.errors import DomainError
from supportdesk.portal.access import customer_only, portal_user
from supportdesk.portal.views import PAGE_SIZE
from supportdesk.web.paging import keyset_page
from supportdesk.web.reasons import refusal


@customer_only
def search(request: HttpRequest) -> HttpResponse:
    user = portal_user(request)
    text = (request.GET.get("q") or "").strip()
    context: dict[str, object] = {"q": text, "nav": "cases", "rows": [], "page": None}
    if text:
        try:
            qs = search_cases(user, text).select_related("organization")
        except DomainError as exc:
            context["error"] = refusal(exc)
        else:
            page = keyset_page(
                qs,
                params=request.GET,
                order=SEARCH_ORDER,
                size=PAGE_SIZE,
                forward=search_forward,
                backward=search_before,
            )
            found = snippets(user, text, page.rows)
            context["page"] = page
            context["rows"] = [{"case": c, "snippet": found.get(c.pk, "")} for c in page.rows]
    return render(request, "portal/search.html", context)
