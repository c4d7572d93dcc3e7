"""Shared pieces of the case services: errors, the row lock, the case write."""

from __future__ import annotations

import datetime as dt

from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import NotFound
from supportdesk.cases.models import (
    Case,
)
from supportdesk.cases.selectors import may_see
from supportdesk.domain.errors import DomainError
from supportdesk.domain.lifecycle import ActorKind


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


def _case(case_id: int, *, lock: bool) -> Case | None:
    """The case with its policy version (without its source: ``policies.selectors.parsed``
    reads that once per version) and organisation."""
    cases = Case.objects.select_related("policy_version", "organization").defer(
        "policy_version__source"
    )
    if lock:
        cases = cases.select_for_update(of=("self",))
    try:
        # get(), not first(): one row by key needs no ORDER BY (cheaper to build too).
        return cases.get(pk=case_id)
    except Case.DoesNotExist:
        return None


def read_case(viewer: User, case_id: int) -> Case | None:
    """The case with its policy version and organisation if ``viewer`` may see it
    (no lock)."""
    case = _case(case_id, lock=False)
    return case if case is not None and may_see(viewer, case) else None


def _lock(viewer: User, case_id: int) -> Case:
    """The case for a write: visible to ``viewer``, row-locked for this transaction
    where the database locks rows (PostgreSQL; SQLite serialises writers instead),
    with its policy version and organisation; :class:`NotFound` otherwise (also for
    other tenants' cases, as ``access_case``)."""
    case = _case(case_id, lock=True)
    if case is None or not may_see(viewer, case):
        raise NotFound(f"case {case_id} not found", field="case_id")
    return case


def _touch(case: Case, now: dt.datetime, *fields: str) -> None:
    case.updated_at = now
    case.save(update_fields=[*dict.fromkeys((*fields, "updated_at"))])
