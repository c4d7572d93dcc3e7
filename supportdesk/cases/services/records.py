"""Shared pieces of the case services: errors, the event writer, the row lock."""

from __future__ import annotations

import datetime as dt
from typing import Any

from supportdesk.accounts.models import User
from supportdesk.cases import selectors
from supportdesk.cases.models import (
    Case,
    CaseEvent,
)
from supportdesk.domain.errors import DomainError
from supportdesk.domain.lifecycle import ActorKind
from supportdesk.prepared import Insert

DEFAULT_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
DEFAULT_ATTACHMENT_TYPES = (
    "image/png",
    "image/jpeg",
    "image/gif",
    "application/pdf",
    "text/plain",
    "text/csv",
    "application/json",
    "application/zip",
    "message/rfc822",
)


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


def _lock(viewer: User, case_id: int) -> Case:
    """The case for a write: visible to ``viewer``, row-locked for this transaction."""
    selectors.access_case(viewer, case_id)
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("policy_version", "organization")
        .get(pk=case_id)
    )


def _touch(case: Case, now: dt.datetime, *fields: str) -> None:
    case.updated_at = now
    case.save(update_fields=[*fields, "updated_at"])
