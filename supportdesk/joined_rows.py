"""A row of a hand-written join, read back as the model instances the ORM's
``select_related`` would have built.

Two reads run on every request of their kind (the API token's, the mail sender's) and
are written by hand because the ORM builds their joins afresh each time for ten times
the statement's own cost (docs/performance.md). This module is what they share: the
columns of each joined model, the conversions the ORM would apply to them (SQLite's
dates and booleans), and the instances made from a fetched row through the documented
``Model.from_db`` hook.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, models


@dataclass(frozen=True, slots=True)
class Joined:
    """One model of the join: its alias in the statement, and a field left unread."""

    alias: str
    model: type[models.Model]
    leave: str = ""


@dataclass(frozen=True, slots=True)
class Scalar:
    """A one-value subquery another app's read may carry as one more column: its SQL
    and parameters (an app above names a table the reading app cannot)."""

    sql: str
    params: tuple[Any, ...] = ()


@dataclass(frozen=True, slots=True)
class JoinedColumns:
    """The select list of a join and how to read a row of it back."""

    #: ``alias.column`` for every column read, model after model.
    selects: tuple[str, ...]
    #: Each model with the attribute names of its columns, in select order.
    read: tuple[tuple[type[models.Model], tuple[str, ...]], ...]
    #: (index in the row, converters, column) where the backend converts a value.
    converts: tuple[tuple[int, tuple[Callable[..., Any], ...], Any], ...]
    #: Columns of the row before the joined ones (the statement's own values).
    start: int

    def build(self, found: Sequence[Any]) -> list[models.Model | None]:
        """The instances of one fetched row, in join order; None for a model a left
        join found nothing of (its key is null)."""
        row = list(found)
        for i, converters, col in self.converts:
            for convert in converters:
                row[i] = convert(row[i], col, connection)
        built: list[models.Model | None] = []
        at = self.start
        for model, attnames in self.read:
            values = row[at : at + len(attnames)]
            at += len(attnames)
            built.append(
                None if values[0] is None else model.from_db(connection.alias, attnames, values)
            )
        return built


def joined_columns(joined: Sequence[Joined], *, start: int = 0) -> JoinedColumns:
    """The columns of ``joined``'s models (all concrete fields but the one left), the
    first of each its key, placed after ``start`` leading columns of the statement."""
    selects: list[str] = []
    read: list[tuple[type[models.Model], tuple[str, ...]]] = []
    converts: list[tuple[int, tuple[Callable[..., Any], ...], Any]] = []
    for part in joined:
        fields = [f for f in part.model._meta.concrete_fields if f.name != part.leave]
        read.append((part.model, tuple(f.attname for f in fields)))
        for f in fields:
            col = f.get_col(part.model._meta.db_table)
            found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            if found:
                converts.append((start + len(selects), tuple(found), col))
            selects.append(f"{part.alias}.{f.column}")
    return JoinedColumns(tuple(selects), tuple(read), tuple(converts), start)
