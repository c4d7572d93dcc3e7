"""Shared pieces of the case services: errors, the row lock, the case write."""

from __future__ import annotations

import datetime as dt

from supportdesk import clock
from supportdesk.accounts.models import User
from supportdesk.cases.models import (
    Case,
)
from supportdesk.domain.errors import DomainError
from supportdesk.domain.lifecycle import ActorKind
from supportdesk.domain.policy import Policy
from supportdesk.domain.prioritisation import queue_rank


class IdempotencyConflict(DomainError):
    """The Idempotency-Key was used before with a different request body (HTTP 409)."""


class AttachmentTooLarge(DomainError):
    """The upload exceeds ``CASE_ATTACHMENT_MAX_BYTES`` (HTTP 413)."""


class UnsupportedMediaType(DomainError):
    """The upload's content type is not in ``CASE_ATTACHMENT_TYPES`` (HTTP 415)."""


def actor_kind(user: User) -> ActorKind:
    return ActorKind.AGENT if user.is_vendor_staff else ActorKind.CUSTOMER


def _jsonable(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    return value


def stamp(case: Case, now: dt.datetime | None) -> dt.datetime:
    """The instant a write to the locked ``case`` is recorded at: the clock read once
    the row lock is held, so concurrent writers stamp their events in commit order,
    and never earlier than the case's last change (clocks of several servers differ).
    The timeline and the SLA history order by this instant, then by event id."""
    at = clock.resolve(now)
    return max(at, case.updated_at) if case.updated_at is not None else at


def _touch(case: Case, now: dt.datetime, *fields: str) -> None:
    case.updated_at = now
    case.save(update_fields=[*dict.fromkeys((*fields, "updated_at"))])


def rank(case: Case, policy: Policy) -> str:
    """Set the case's stored queue rank from its severity and escalated flag (PRI-2);
    returns the field to save. Every service that changes either calls it."""
    top = min(s.level for s in policy.severities)
    case.queue_rank = queue_rank(severity=case.severity, escalated=case.escalated, top_severity=top)
    return "queue_rank"
