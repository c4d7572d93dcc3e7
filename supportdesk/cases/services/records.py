"""Shared pieces of the case services: errors, the event writer, the row lock.

The reads and writes every change makes (the locked case, its event, the touched
columns) run precompiled (see :mod:`supportdesk.prepared`); so does the clock refresh
that follows (``cases.clocks``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import NotFound
from supportdesk.cases.models import (
    Case,
    CaseEvent,
)
from supportdesk.cases.selectors import may_see
from supportdesk.domain.errors import DomainError
from supportdesk.domain.lifecycle import ActorKind
from supportdesk.policies.selectors import VERSION_FIELDS
from supportdesk.prepared import Insert, Select, Update


class IdempotencyConflict(DomainError):
    """The Idempotency-Key was used before with a different request body (HTTP 409)."""


class AttachmentTooLarge(DomainError):
    """The upload exceeds ``CASE_ATTACHMENT_MAX_BYTES`` (HTTP 413)."""


class UnsupportedMediaType(DomainError):
    """The upload's content type is not in ``CASE_ATTACHMENT_TYPES`` (HTTP 415)."""


def actor_kind(user: User) -> ActorKind:
    return ActorKind.AGENT if user.is_vendor_staff else ActorKind.CUSTOMER


_INSERT_EVENT = Insert(CaseEvent)


def _event(
    case: Case,
    *,
    at: dt.datetime,
    actor: User | None,
    kind: str,
    data: dict[str, Any],
    public: bool = True,
    save: bool = True,
) -> CaseEvent:
    event = CaseEvent(case=case, at=at, actor=actor, kind=kind, data=data, public=public)
    return _INSERT_EVENT.one(event) if save else event


def _jsonable(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    return value


_CASE_BY_ID = '"cases_case"."id" = %s'
CASE_RELATED = ("policy_version", "organization")
#: The version without its policy source (``policies.selectors.parsed`` reads that).
CASE_RELATED_FIELDS = {"policy_version": VERSION_FIELDS}
#: The case with its policy version and organisation, row-locked where the database
#: locks rows (PostgreSQL); SQLite serialises writers instead.
_LOCK_CASE = Select(
    Case,
    _CASE_BY_ID,
    tail='FOR UPDATE OF "cases_case"',
    related=CASE_RELATED,
    related_fields=CASE_RELATED_FIELDS,
)
_READ_CASE = Select(Case, _CASE_BY_ID, related=CASE_RELATED, related_fields=CASE_RELATED_FIELDS)


def read_case(viewer: User, case_id: int) -> Case | None:
    """The case with its policy version and organisation if ``viewer`` may see it
    (no lock): one precompiled statement."""
    case = _READ_CASE.first(case_id)
    return case if case is not None and may_see(viewer, case) else None


def _lock(viewer: User, case_id: int) -> Case:
    """The case for a write: visible to ``viewer``, row-locked for this transaction,
    with its policy version and organisation; :class:`NotFound` otherwise (also for
    other tenants' cases, as ``access_case``)."""
    db = connections[DEFAULT_DB_ALIAS]
    statement = _LOCK_CASE if db.features.has_select_for_update_of else _READ_CASE
    case = statement.first(case_id)
    if case is None or not may_see(viewer, case):
        raise NotFound(f"case {case_id} not found", field="case_id")
    return case


_TOUCH: dict[tuple[str, ...], Update[Case]] = {}


def _touch(case: Case, now: dt.datetime, *fields: str) -> None:
    case.updated_at = now
    names = tuple(dict.fromkeys((*fields, "updated_at")))
    update = _TOUCH.get(names)
    if update is None:
        update = _TOUCH[names] = Update(Case, *names)
    update(case)
