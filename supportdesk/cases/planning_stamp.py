"""The planning stamp: one row whose value changes with every saved or deleted team or
sprint, so a process may keep the support teams and sprints every new case reads in
memory and still see each change at its next create (``selectors.planning``; mail
intake reads the value with the message's sender, ``selectors.planning_under``).

The value is drawn at random, not counted: a rolled-back change puts the value before
it back, and whatever a process kept under a value is what the rows were while that
value stood. It is drawn in the transaction of the change, so a process sees the new
value exactly when it can see the change. Changes made behind the ORM's signals (raw
SQL, ``QuerySet.update`` on these tables) must call :func:`bump` themselves; there are
none today. The row is written by the first change (a database is migrated without it,
so that a backup restores into it as into any empty database; a restored row's value
stands for the restored rows); until then, and without it (a database flushed by a
test), nothing is kept."""

from __future__ import annotations

import functools
import secrets
from typing import Any

from django.db import connection
from django.db.models.signals import post_delete, post_save

from supportdesk.accounts.models import Team, User
from supportdesk.cases.models import PlanningStamp, Sprint
from supportdesk.joined_rows import Scalar

#: The stamp's one row.
ROW = 1


@functools.cache
def _read_statement() -> tuple[str, tuple[Any, ...]]:
    """The ORM's statement of :func:`read`, built once: every create runs it, and the
    ORM would spend about 0.3 ms of CPU building it afresh each time for a statement
    that costs 0.06 ms (docs/performance.md)."""
    return PlanningStamp.objects.filter(pk=ROW).values_list("value").query.sql_with_params()


def read() -> int | None:
    """The current value, or None without the row."""
    sql, params = _read_statement()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else int(row[0])


@functools.cache
def scalar() -> Scalar:
    """:func:`read` as a one-value subquery, for a read that brings the value as one
    more column (the API token's, a message sender's): its value is what :func:`read`
    would answer, None without the row. Built once, as the statement is."""
    sql, params = _read_statement()
    return Scalar(sql, tuple(params))


def bump() -> None:
    """Draw a new value: every process's kept teams and sprints are stale from now."""
    value = secrets.randbits(62)
    if not PlanningStamp.objects.filter(pk=ROW).update(value=value):
        PlanningStamp.objects.bulk_create(
            [PlanningStamp(pk=ROW, value=value)], ignore_conflicts=True
        )


def _changed(sender: type[Any], **_: Any) -> None:
    bump()


def connect() -> None:
    """Bump on every save or delete of a team or a sprint, and on a person's deletion
    (a team's escalation manager is then set to null by the database's cascade)."""
    for model in (Team, Sprint):
        post_save.connect(_changed, sender=model, dispatch_uid=f"planning_stamp.{model.__name__}")
        post_delete.connect(
            _changed, sender=model, dispatch_uid=f"planning_stamp.{model.__name__}.deleted"
        )
    post_delete.connect(_changed, sender=User, dispatch_uid="planning_stamp.user.deleted")
