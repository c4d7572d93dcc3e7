"""Keyset (cursor) paging for every API list: stable under inserts, O(page) deep down.

A cursor is an opaque token holding the ordering values of the last row returned.
Ordering fields must be non-null (annotate a ``Coalesce`` for nullable ones) and end
with a unique field, so no two rows tie.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Generic, TypeVar

from annotated_types import Ge, Le
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _
from ninja import Schema

from supportdesk.domain.errors import DomainError

T = TypeVar("T")
M = TypeVar("M", bound=Model)

MAX_LIMIT = 200

#: A list's ``limit`` query parameter: how many items a page holds.
Limit = Annotated[int, Ge(1), Le(MAX_LIMIT)]


class Page(Schema, Generic[T]):
    items: list[T]
    #: Pass as ``cursor`` to get the next page; null on the last page.
    next_cursor: str | None
    limit: int


class BadCursor(DomainError):
    pass


def encode_cursor(values: Sequence[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, dt.date) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, width: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise BadCursor(_("not a cursor this API issued"), field="cursor") from exc
    if not isinstance(values, list) or len(values) != width:
        raise BadCursor(_("not a cursor this API issued"), field="cursor")
    return values


def after_filter(order: Sequence[str], values: Sequence[Any]) -> Q:
    """Rows strictly after ``values`` in ``order`` (a field may start with '-')."""
    condition = Q()
    for i in range(len(order) - 1, -1, -1):
        name = order[i].lstrip("-")
        op = "lt" if order[i].startswith("-") else "gt"
        step = Q(**{f"{name}__{op}": values[i]})
        if i < len(order) - 1:
            step |= Q(**{name: values[i]}) & condition
        condition = step
    return condition


def paginate(
    qs: QuerySet[M],
    *,
    cursor: str | None,
    limit: int,
    order: Sequence[str],
    to_schema: Callable[[M], T] | None = None,
    prepare: Callable[[list[M]], None] | None = None,
) -> Page[Any]:
    """One page of ``qs`` in ``order`` after ``cursor``; ``limit`` is clamped to 1..200.
    ``prepare`` sees the page's rows at once before ``to_schema`` maps each (to read
    what the rows need in one go)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise DomainError(f"must be between 1 and {MAX_LIMIT}", field="limit")
    ordered = qs.order_by(*order)
    if cursor:
        ordered = ordered.filter(after_filter(order, decode_cursor(cursor, len(order))))
    rows = list(ordered[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more and rows:
        last = rows[-1]
        next_cursor = encode_cursor([field_value(last, f.lstrip("-")) for f in order])
    if prepare is not None:
        prepare(rows)
    items = [to_schema(r) for r in rows] if to_schema else rows
    return Page(items=items, next_cursor=next_cursor, limit=limit)


def field_value(row: Model, path: str) -> Any:
    value: Any = row
    for part in path.split("__"):
        value = getattr(value, part)
    return value
