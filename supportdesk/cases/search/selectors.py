"""Reading search results: the one visibility rule first, then the engine.

A search is :func:`cases.selectors.case_queue` (so ``cases_visible_to`` and every queue
filter) narrowed by the engine to the matches of the viewer's :class:`Audience`: a
customer's words are looked up only in the public text of their organisation's cases,
so neither a hit, a count nor a snippet can come from an internal note or another
tenant's case.

Ranking is bounded, so a page costs about the same at any size: only the matches among
the viewer's :data:`RANKED_CASES` newest cases (of the same queue, filters applied)
are ranked, best first; every older match follows, newest first. A common word is in
most cases, and scoring every match would read every one of them. The window starts at
a case id (its *floor*) that each cursor carries, so the pages of one search keep their
order while new cases arrive. Which cases match does not depend on any of this.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from django.db.models import BigIntegerField, Expression, F, QuerySet, Subquery, Value, When
from django.db.models import Case as Switch
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from supportdesk.accounts.models import User
from supportdesk.api_paging import (
    MAX_LIMIT,
    BadCursor,
    Page,
    after_filter,
    decode_cursor,
    encode_cursor,
)
from supportdesk.cases.models import Case
from supportdesk.cases.search.engines import Audience, engine, exact_plans, index_plans
from supportdesk.cases.selectors import QueueFilter, case_queue
from supportdesk.domain.errors import DomainError
from supportdesk.domain.search_query import SearchQuery, parse_search
from supportdesk.domain.tags import lift_tag_terms

#: How many of the viewer's newest cases (of the searched queue) a search ranks.
RANKED_CASES = 1000

#: How many ids below the window (or the last row) a page walks before it asks the
#: search index for the older matches instead.
WALKED_IDS = 5000

#: The window's floor (one value within a search, so only cursors read it), then best
#: match first (0 below the floor), then newest; the id makes the order total.
SEARCH_ORDER = ("-search_floor", "-search_rank", "-id")
_WINDOW_ORDER = ("-search_rank", "-id")
_BACK_ORDER = ("search_rank", "id")


def audience_of(viewer: User) -> Audience:
    return Audience.STAFF if viewer.is_vendor_staff else Audience.PUBLIC


def with_tag_terms(viewer: User, f: QueueFilter) -> QueueFilter:
    """``f`` with the ``tag:name`` / ``-tag:name`` terms of its search text moved into
    its tag filters (the rest stays the search text; none left: no search). For staff
    only: a customer's ``tag:x`` is ordinary words, searched as such."""
    if not f.q or not viewer.is_vendor_staff:
        return f
    rest, wanted, unwanted = lift_tag_terms(f.q)
    return dataclasses.replace(
        f,
        q=rest or None,
        tags=tuple(dict.fromkeys((*f.tags, *wanted))),
        without_tags=tuple(dict.fromkeys((*f.without_tags, *unwanted))),
    )


def search_cases(
    viewer: User, text: str, filters: QueueFilter | None = None, *, summary: bool = False
) -> QuerySet[Case]:
    """The cases ``viewer`` may see that match ``text`` (and ``filters``), annotated
    with ``search_score`` (relevance), ``search_floor`` and ``search_rank`` (the score
    plus one at or above the floor, else 0). Order them by :data:`SEARCH_ORDER`, or
    page them with :func:`search_page` (the same order, in bounded reads). Raises
    ``SearchSyntaxError`` for a query that cannot be searched."""
    query = parse_search(text)
    audience = audience_of(viewer)
    queue = case_queue(
        viewer, dataclasses.replace(filters or QueueFilter(), q=None), summary=summary
    )
    found = engine().matching(queue, query, audience)
    found = found.annotate(search_score=engine().score(query, audience))
    # The id of the viewer's RANKED_CASES-th newest case: the queue alone (no text),
    # evaluated once per statement; 0 when the queue is shorter.
    newest = queue.order_by("-id").values("id")[RANKED_CASES - 1 : RANKED_CASES]
    return at_floor(found, Coalesce(Subquery(newest), Value(0)))


def at_floor(qs: QuerySet[Case], floor: Expression) -> QuerySet[Case]:
    """``qs`` (from :func:`search_cases`) ranked above ``floor``."""
    return qs.annotate(
        search_floor=floor,
        search_rank=Switch(
            When(pk__gte=F("search_floor"), then=F("search_score") + 1),
            default=Value(0),
            output_field=BigIntegerField(),
        ),
    )


def search_page(qs: QuerySet[Case], *, cursor: str | None, limit: int) -> Page[Case]:
    """The page of ``qs`` (from :func:`search_cases`) in :data:`SEARCH_ORDER` after
    ``cursor`` (what ``paginate`` would return), read as at most three bounded
    statements: the window's floor, the window by score, then older matches by id."""
    if not 1 <= limit <= MAX_LIMIT:
        raise DomainError(f"must be between 1 and {MAX_LIMIT}", field="limit")
    after = _decode(cursor)
    with exact_plans():
        return _page_after(qs, after, limit)


def _page_after(qs: QuerySet[Case], after: tuple[int, int, int] | None, limit: int) -> Page[Case]:
    floor = after[0] if after is not None else _floor_of(qs)
    if floor is None:
        return Page(items=[], next_cursor=None, limit=limit)
    qs = at_floor(qs, Value(floor))
    rows: list[Case] = []
    if after is None or after[1] > 0:
        window = qs.filter(pk__gte=floor).order_by(*_WINDOW_ORDER)
        if after is not None:
            window = window.filter(after_filter(_WINDOW_ORDER, after[1:]))
        rows = list(window[: limit + 1])
    if len(rows) <= limit:
        # Below the last row when it was an older match: the walk starts there, not at
        # the floor, so a deep page costs what the first does.
        below = after[2] if after is not None and after[1] == 0 else floor
        rows += _older(qs, below, limit + 1 - len(rows))
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor([last.search_floor, last.search_rank, last.pk])  # type: ignore[attr-defined]
    return Page(items=rows[:limit], next_cursor=next_cursor, limit=limit)


def _older(qs: QuerySet[Case], below: int, n: int) -> list[Case]:
    """The ``n`` newest matches of ``qs`` below id ``below``: first by walking the
    :data:`WALKED_IDS` ids under it (enough for a common word; the cost is bounded by
    the range), then, only if they hold fewer, through the search index (cheap exactly
    when the words are rare, which is when a walk would go on and on)."""
    edge = max(below - WALKED_IDS, 0)
    rows = list(engine().older(qs, below, above=edge).order_by("-id")[:n])
    if len(rows) < n and edge > 0:
        with index_plans():
            rows += list(engine().older(qs, edge + 1).order_by("-id")[: n - len(rows)])
    return rows


def _floor_of(qs: QuerySet[Case]) -> int | None:
    """The window's floor as a number (None: nothing matches), so the page's reads
    carry it as a constant: the planner then sees how few cases the window holds, and
    the subquery runs once, not once per mention."""
    annotated: Any = qs.order_by()  # the plugin does not see annotations by name
    found = list(annotated.values_list("search_floor", flat=True)[:1])
    return int(found[0]) if found else None


def search_forward(qs: QuerySet[Case], cursor: str | None, limit: int) -> Page[Case]:
    """:func:`search_page` as ``web.paging.keyset_page``'s ``forward``."""
    return search_page(qs, cursor=cursor, limit=limit)


def search_before(qs: QuerySet[Case], first: Case, limit: int) -> list[Case]:
    """The at most ``limit`` cases of ``qs`` (from :func:`search_cases`) just before
    ``first`` (a row of one of its pages) in :data:`SEARCH_ORDER`, nearest first: a web
    page's link back. At most two bounded reads, in ``first``'s window: the older
    matches between it and the floor, walking up by id, then the window (at most
    :data:`RANKED_CASES` cases) by score, so a link back costs what a page forward does
    (ordering the whole query backwards would rank every match)."""
    annotated: Any = first  # the plugin does not see annotations by name
    floor, rank = int(annotated.search_floor), int(annotated.search_rank)
    qs = at_floor(qs, Value(floor))
    rows: list[Case] = []
    with exact_plans():
        if rank == 0:
            older = engine().older(qs, floor, above=first.pk).order_by("id")
            rows = list(older[:limit])
        if len(rows) < limit:
            window = qs.filter(pk__gte=floor).order_by(*_BACK_ORDER)
            if rank > 0:
                window = window.filter(after_filter(_BACK_ORDER, [rank, first.pk]))
            rows += list(window[: limit - len(rows)])
    return rows


def _decode(cursor: str | None) -> tuple[int, int, int] | None:
    if not cursor:
        return None
    values = decode_cursor(cursor, len(SEARCH_ORDER))
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        raise BadCursor(_("not a cursor this API issued"), field="cursor")
    floor, rank, last = values
    return floor, rank, last


def snippets(viewer: User, text: str, cases: Sequence[Case]) -> dict[int, str]:
    """Highlighted fragments (safe HTML) of ``cases``, which must have come from
    :func:`search_cases` for the same viewer and text, keyed by case id."""
    query: SearchQuery = parse_search(text)
    return engine().snippets([c.pk for c in cases], query, audience_of(viewer))
