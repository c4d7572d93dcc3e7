"""Rows written together: while a fan-out batch is expanded (``fanout.expand_due``),
the bell entries, outbox rows and mail envelopes its events tell are collected here
and inserted with one ``bulk_create`` per table at the end of the batch, in its
transaction, instead of one ``INSERT`` each (docs/notifications.md, "Telling after
the change").

Outside such a batch nothing is collected: every writer inserts at once, as before.
A writer that must read what the batch wrote so far (a coalescing window, a case's
thread) calls :func:`flush` first, so the batch's own rows are seen.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db.models import Model


class _Rows:
    def __init__(self) -> None:
        #: Unsaved rows per model, the models in the order first added (an envelope's
        #: outbox row is added before it, so it is inserted first and has its key).
        self.by_model: dict[type[Model], list[Model]] = {}
        #: A team's active members' ids, read once per batch.
        self.members: dict[int, list[int]] = {}


_ROWS: ContextVar[_Rows | None] = ContextVar("supportdesk_rows_together", default=None)


@contextmanager
def written_together() -> Iterator[None]:
    """Collect the rows written inside the block; insert them at its end (not when it
    raises: the caller's transaction then rolls back anyway)."""
    token = _ROWS.set(_Rows())
    try:
        yield
        flush()
    finally:
        _ROWS.reset(token)


def collecting() -> bool:
    return _ROWS.get() is not None


def add(row: Model) -> bool:
    """Keep ``row`` for the batch's insert; ``False`` (nothing kept) outside a batch."""
    rows = _ROWS.get()
    if rows is None:
        return False
    rows.by_model.setdefault(type(row), []).append(row)
    return True


def pending(model: type[Model]) -> list[Any]:
    """The batch's rows of ``model`` not yet inserted."""
    rows = _ROWS.get()
    return list(rows.by_model.get(model, ())) if rows is not None else []


def flush() -> None:
    """Insert the rows kept so far (one statement per table)."""
    rows = _ROWS.get()
    if rows is None:
        return
    while rows.by_model:
        model = next(iter(rows.by_model))
        objs = rows.by_model.pop(model)
        # A foreign key to a row kept earlier (an envelope's outbox row) is set from
        # that row's key, now that it has one (Django does so in bulk_create).
        model._default_manager.bulk_create(objs)


def team_members(team_id: int) -> list[int] | None:
    """The batch's cached ids of the team's active members (``None``: not read yet)."""
    rows = _ROWS.get()
    return rows.members.get(team_id) if rows is not None else None


def remember_members(team_id: int, ids: list[int]) -> None:
    rows = _ROWS.get()
    if rows is not None:
        rows.members[team_id] = ids
