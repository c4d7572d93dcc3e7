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
import math
from collections.abc import Sequence
from typing import Any

from django.db.models import (
    BigIntegerField,
    Expression,
    F,
    QuerySet,
    Subquery,
    Value,
    When,
)
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
#: search index for the older matches instead, and how much each further range of ids
#: (read through the index) grows.
WALKED_IDS = 5000
RANGE_GROWTH = 8

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
    return at_floor(found, _Floor(queue.order_by("-id").values("id")))


class _Floor(Coalesce):
    """The window's floor as an expression (the id of the queue's
    :data:`RANKED_CASES`-th newest case, 0 when it is shorter) that keeps its queue at
    hand, so :func:`search_page` reads it on its own: from the queue alone, without
    the text, which no match can change."""

    def __init__(self, ids: QuerySet[Case, Any]) -> None:
        super().__init__(Subquery(ids[RANKED_CASES - 1 : RANKED_CASES]), Value(0))
        self.ids = ids


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
    if after is not None:
        floor, top = after[0], None
    else:
        floor, top = _window_of(qs)
    qs = at_floor(qs, Value(floor))
    # The reads find the page's ids and ranks only; its rows are read once at the end,
    # by id: ranking the window sorts its matches, and reading every column of each of
    # them (text columns unpacked) before the sort kept 25 cost hundreds of rows' worth.
    keys: Any = qs.prefetch_related(None).select_related(None)  # annotations by name
    found: list[tuple[int, int]] = []
    if after is None or after[1] > 0:
        window = keys.filter(pk__gte=floor).order_by(*_WINDOW_ORDER)
        if after is not None:
            window = window.filter(after_filter(_WINDOW_ORDER, after[1:]))
        found = list(window.values_list("pk", "search_rank")[: limit + 1])
    if len(found) <= limit:
        # Below the last row when it was an older match: the walk starts there, not at
        # the floor, so a deep page costs what the first does.
        below = after[2] if after is not None and after[1] == 0 else floor
        need = limit + 1 - len(found)
        # A first page knows how many of the window's ids hold a match: the older ones
        # are as dense, so that many more ids (twice) should hold the rest.
        span = None
        if top is not None:
            span = below if not found else math.ceil(2 * need * (top - floor + 1) / len(found))
        found += [(pk, 0) for pk in _older(keys, below, need, span)]
    next_cursor = None
    if len(found) > limit:
        last_pk, last_rank = found[limit - 1]
        next_cursor = encode_cursor([floor, last_rank, last_pk])
    wanted = found[:limit]
    rows = qs.in_bulk([pk for pk, _ in wanted]) if wanted else {}
    items = [rows[pk] for pk, _ in wanted if pk in rows]
    return Page(items=items, next_cursor=next_cursor, limit=limit)


def _older(qs: QuerySet[Case], below: int, n: int, span: int | None = None) -> list[int]:
    """The ids of the ``n`` newest matches of ``qs`` below id ``below``, read in id
    ranges, the first ``span`` ids (as dense in matches as the window) or
    :data:`WALKED_IDS`, each next one :data:`RANGE_GROWTH` times larger, until ``n``
    are found. A range of at most :data:`WALKED_IDS` is read as the planner likes (for
    a common word a walk down the ids that stops at ``n``); a larger one through the
    search index narrowed to the range (a bitmap of the words' documents and'ed with
    one of the range's ids, so only the range's matches are read). Words rare together
    are thus never tested document by document over tens of thousands of ids, and the
    words' postings, the costly part of an index read for common words, are read once
    or twice a page, not once per range."""
    ids: list[int] = []
    top, size = below, span or WALKED_IDS
    while len(ids) < n and top > 1:
        edge = max(top - size, 0)
        older = engine().older(qs, top, above=edge).order_by("-id").values_list("pk", flat=True)
        if size <= WALKED_IDS:
            ids += list(older[: n - len(ids)])
        else:
            with index_plans():
                ids += list(older[: n - len(ids)])
        top, size = edge + 1, max(size, WALKED_IDS) * RANGE_GROWTH
    return ids


def _window_of(qs: QuerySet[Case]) -> tuple[int, int | None]:
    """The window's floor and its newest id (None: not known) as numbers, so the
    page's reads carry them as constants: the planner then sees how few cases the
    window holds, and the subquery runs once, not once per mention. Read from the queue
    alone (one short walk down its ids, index-only for a customer), never with the
    text: looking the words up to learn whether anything matches cost a GIN lookup per
    page (20-75 ms at 1,000,000 cases); the window and the older matches find out
    anyway."""
    floor = qs.query.annotations["search_floor"]
    if isinstance(floor, _Floor):
        ids = list(floor.ids.values_list("id", flat=True)[:RANKED_CASES])
        if not ids:
            return 0, None
        return (ids[-1] if len(ids) == RANKED_CASES else 0), ids[0]
    return _floor_of(qs), None


def _floor_of(qs: QuerySet[Case]) -> int:
    """The floor of ``qs`` annotated another way (0: nothing matches)."""
    annotated: Any = qs.order_by()  # the plugin does not see annotations by name
    found = list(annotated.values_list("search_floor", flat=True)[:1])
    return int(found[0]) if found else 0


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
