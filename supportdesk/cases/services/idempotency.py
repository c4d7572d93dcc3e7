"""A create retried with the same ``Idempotency-Key`` answers the case it made."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict

from django.utils.translation import gettext as _

from supportdesk.accounts.models import User
from supportdesk.cases.drafts import CaseDraft
from supportdesk.cases.models import Case, IdempotencyKey
from supportdesk.cases.services.records import IdempotencyConflict


def fingerprint(draft: CaseDraft) -> str:
    """A stable hash of a create request, for idempotency (the same as of the API
    body it was built from: the draft's fields are the body's)."""
    text = json.dumps(asdict(draft), sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def replay(actor: User, key: str, fp: str) -> Case | None:
    """The case ``actor``'s earlier create with ``key`` made, if any;
    :class:`IdempotencyConflict` when that create's request was another."""
    row = IdempotencyKey.objects.filter(user=actor, key=key).select_related("case").first()
    if row is None:
        return None
    if row.fingerprint != fp:
        raise IdempotencyConflict(
            _("this Idempotency-Key was already used with a different request body"),
            field="Idempotency-Key",
        )
    return row.case


def remember(actor: User, key: str, fp: str, case: Case, now: dt.datetime) -> None:
    """Keep ``key`` for the case just made, in the create's transaction."""
    IdempotencyKey.objects.create(user=actor, key=key, fingerprint=fp, case=case, created_at=now)
