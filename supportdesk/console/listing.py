"""The queue page's listing: the chosen saved view, its page of cases (in queue order,
or best match first when it has search words, each hit with its snippet) and the left
rail of views with their live counts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext

from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import NotFound
from supportdesk.api_paging import Page
from supportdesk.cases import selectors
from supportdesk.cases.models import Case
from supportdesk.cases.search import saved_views
from supportdesk.cases.search.saved_views import ViewChoice
from supportdesk.cases.search.selectors import (
    SEARCH_ORDER,
    search_before,
    search_forward,
    snippets,
)
from supportdesk.console.find_forms import BulkForm, SaveViewForm
from supportdesk.domain.errors import DomainError
from supportdesk.web.paging import Forward, KeysetPage, keyset_page
from supportdesk.web.reasons import refusal

#: The queue form's fields a listing reads (a saved view fills in those not given).
LISTING_FIELDS = saved_views.VIEW_FIELDS


class Listing:
    """What the queue page shows for a request: the chosen view, its page of rows (in
    queue order, or by rank for a search), each search hit's snippet, and the rail."""

    def __init__(self, user: User, params: QueryDict, size: int) -> None:
        self.view: ViewChoice | None = None
        data: dict[str, Any] = {}
        key = params.get("saved") or ""
        if key:
            try:
                self.view = saved_views.find_view(user, key)
            except NotFound:
                self.view = None
            else:
                data.update(self.view.filters)
        data.update({k: params[k] for k in LISTING_FIELDS if k != "tag" and params.get(k)})
        data.update(_tag_field(params.getlist("tag"), data.get("tag")))
        self.data = data
        self.error = ""
        try:
            qs = saved_views.view_cases(user, data)
            _, self.text = saved_views.queue_filter(user, data)
        except DomainError as exc:
            label = gettext("Tags") if exc.field == "tag" else gettext("Search")
            self.error, self.text = f"{label}: {refusal(exc, named=False)}", ""
            qs = saved_views.view_cases(user, {**data, "q": "", "tag": ""})
        self.page: KeysetPage[Case] = _page(qs, params, size, search=bool(self.text))
        self.snippets = snippets(user, self.text, self.page.rows) if self.text else {}
        rail = saved_views.views_for(user)
        counts = saved_views.view_counts(user, rail)
        #: The left rail: each view with its live count.
        self.rail = [(choice, counts[choice.key]) for choice in rail]


def _tag_field(given: list[str], saved: Any) -> dict[str, str]:
    """The ``tag`` field as the queue form shows it (names separated by commas): the
    tags given in the request, else the saved view's list."""
    names = [t for t in given if t.strip()] or (saved if isinstance(saved, list) else [])
    return {"tag": ",".join(names)} if names else {}


def _page(qs: QuerySet[Case], params: QueryDict, size: int, *, search: bool) -> KeysetPage[Case]:
    if search:
        return keyset_page(
            qs,
            params=params,
            order=SEARCH_ORDER,
            size=size,
            forward=search_forward,
            backward=search_before,
        )
    return keyset_page(
        qs, params=params, order=selectors.QUEUE_ORDER, size=size, forward=queue_forward
    )


def forward_of(*, search: bool) -> Forward[Case]:
    """How a listing steps forward: by rank for a search, else in queue order."""
    return search_forward if search else queue_forward


def queue_forward(qs: QuerySet[Case], cursor: str | None, limit: int) -> Page[Case]:
    return selectors.queue_page(qs, cursor=cursor, limit=limit, to_schema=lambda case: case)


def listing_context(listing: Listing) -> Mapping[str, Any]:
    """The template context the rail, the bulk bar and the rows read."""
    return {
        "listing": listing,
        "save_form": SaveViewForm(),
        "bulk_form": BulkForm(),
        "snippets": listing.snippets,
    }
