"""Keyset paging for the pages' lists (the console queue, the portal's case list), with
next and previous links. Forward steps are :func:`supportdesk.api_paging.paginate`, so a
page's ``cursor`` is the API's; the previous page is found by walking the same order
backwards from the page's first row, so no trail of cursors rides in the URL."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from django.db.models import Model, QuerySet
from django.http import QueryDict

from supportdesk.api_paging import (
    BadCursor,
    Page,
    after_filter,
    encode_cursor,
    field_value,
    paginate,
)

M = TypeVar("M", bound=Model)
#: One forward page: (queryset, cursor or None, limit) -> the API's page of rows.
Forward = Callable[[QuerySet[M], str | None, int], Page[Any]]
#: The rows just before one: (queryset, first row of a page, limit) -> at most limit
#: rows, nearest first.
Backward = Callable[[QuerySet[M], M, int], list[M]]


@dataclass(frozen=True)
class KeysetPage(Generic[M]):
    rows: list[M]
    #: Query strings (without ``?``) of the neighbouring pages; ``None`` when there is none.
    next_query: str | None
    previous_query: str | None
    #: The query string of this page itself (for a live refresh of the same rows).
    query: str
    bad_cursor: bool = False

    @property
    def has_other_pages(self) -> bool:
        return self.next_query is not None or self.previous_query is not None


def _flip(order: Sequence[str]) -> list[str]:
    return [f[1:] if f.startswith("-") else f"-{f}" for f in order]


def _with(params: QueryDict, cursor: str | None) -> str:
    kept = {k: v for k, v in params.items() if k not in ("cursor", "page") and v}
    if cursor:
        kept["cursor"] = cursor
    return urlencode(kept)


def keyset_page(
    qs: QuerySet[M],
    *,
    params: QueryDict,
    order: Sequence[str],
    size: int,
    forward: Forward[M] | None = None,
    backward: Backward[M] | None = None,
) -> KeysetPage[M]:
    """The page of ``qs`` in ``order`` that ``params["cursor"]`` starts after (the first
    page without one, or with a cursor this site did not issue). ``order`` must end with
    a unique column and have no nullable ones (as for :func:`paginate`). ``forward`` is
    a faster way to the same forward page (``cases.selectors.queue_page`` for the queue)
    and ``backward`` to the rows before a page (``cases.search.selectors.search_before``
    for a search, whose order the database cannot walk backwards by an index)."""

    def step(cursor: str | None) -> Page[Any]:
        if forward is not None:
            return forward(qs, cursor, size)
        return paginate(qs, cursor=cursor, limit=size, order=order)

    cursor = params.get("cursor") or None
    bad = False
    try:
        page = step(cursor)
    except BadCursor:
        bad, cursor = True, None
        page = step(None)
    rows: list[M] = list(page.items)
    previous = None
    if cursor:
        previous = _with(params, None)
        if rows:
            before = _before(qs, rows[0], order, size + 1, backward)
            if len(before) > size:
                start = [field_value(before[size], f.lstrip("-")) for f in order]
                previous = _with(params, encode_cursor(start))
    return KeysetPage(
        rows=rows,
        next_query=_with(params, page.next_cursor) if page.next_cursor else None,
        previous_query=previous,
        query=_with(params, cursor),
        bad_cursor=bad,
    )


def _before(
    qs: QuerySet[M], first: M, order: Sequence[str], limit: int, backward: Backward[M] | None
) -> list[M]:
    if backward is not None:
        return backward(qs, first, limit)
    back = _flip(order)
    values = [field_value(first, f.lstrip("-")) for f in order]
    return list(qs.order_by(*back).filter(after_filter(back, values))[:limit])


def every_page(qs: QuerySet[M], *, size: int, forward: Forward[M]) -> Iterator[list[M]]:
    """Every row of ``qs``, ``size`` at a time, each batch the ``forward`` step after the
    last (so each costs what one page does, however many there are): a download's rows."""
    cursor: str | None = None
    while True:
        page = forward(qs, cursor, size)
        yield list(page.items)
        if page.next_cursor is None:
            return
        cursor = page.next_cursor
