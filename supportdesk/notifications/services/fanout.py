"""Telling after the change: one durable job per event, expanded by the outbox worker
into the recipients' outbox rows and bell entries (docs/notifications.md).

An app that tells of its events registers an expansion for its job kind
(:func:`register_expansion`, from its ``AppConfig.ready``), writes one job per event
inside the transaction of the change (:func:`defer`), and the worker's
``notifications.expand`` task calls :func:`expand_due`. This app never imports the
apps it tells for: the expansion is theirs.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from itertools import groupby
from typing import Any

from django.db import transaction

from supportdesk import clock
from supportdesk.notifications.models import FanOutJob
from supportdesk.notifications.services import together
from supportdesk.notifications.services.delivery import MAX_ATTEMPTS, backoff

log = logging.getLogger(__name__)

#: An expansion: tells of each event of a batch, in order, given each job's payload
#: and the event's instant (a batch lets it read what the events share at once).
Expansion = Callable[[Sequence[tuple[dict[str, Any], dt.datetime]]], None]

_EXPANSIONS: dict[str, Expansion] = {}


def register_expansion(kind: str, expansion: Expansion) -> None:
    """Make ``expansion`` the one that tells jobs of ``kind``."""
    _EXPANSIONS[kind] = expansion


def defer(*, kind: str, key: str, payload: dict[str, Any], now: dt.datetime) -> FanOutJob:
    """Record one event to be told; call it inside the transaction of the change.

    ``key`` is unique per event and names a row of this transaction (a new case, a
    comment), so no other transaction can hold it: one plain INSERT, no savepoint."""
    if kind not in _EXPANSIONS:
        raise LookupError(f"no expansion registered for {kind!r}")
    return FanOutJob.objects.create(
        kind=kind, key=key, payload=payload, created_at=now, next_attempt_at=now
    )


def expand_due(*, batch: int = 50, now: dt.datetime | None = None) -> int:
    """Expand up to ``batch`` jobs due at ``now``, oldest first, in one transaction;
    returns how many were expanded here.

    The jobs are locked (``SKIP LOCKED``: another worker's are left to it), told and
    deleted in that transaction, so the batch commits whole or not at all. When any
    of them fails the batch is rolled back and its jobs are expanded one by one
    (:func:`expand_job`), so one broken job delays no other and counts its own
    attempt. Safe on several workers at once and after a crash."""
    now = clock.resolve(now)
    claimed: list[int] = []
    try:
        with transaction.atomic():
            jobs = list(
                FanOutJob.objects.select_for_update(skip_locked=True)
                .filter(next_attempt_at__lte=now)
                .order_by("next_attempt_at", "id")[:batch]
            )
            claimed = [job.pk for job in jobs]
            _expand(jobs)
            _delete(claimed)
            return len(jobs)
    except Exception:
        return sum(expand_job(pk, now=now) for pk in claimed)


def _expand(jobs: list[FanOutJob]) -> None:
    """Each run of consecutive jobs of one kind through that kind's expansion; the
    rows they tell are inserted together at the end (one statement per table)."""
    with together.written_together():
        for kind, run in groupby(jobs, key=lambda job: job.kind):
            _EXPANSIONS[kind]([(job.payload, job.created_at) for job in run])


def _delete(pks: list[int]) -> None:
    # SQLite has no row locks: its writers are serialised, and the delete's count
    # tells whether another worker expanded one of these jobs first.
    if FanOutJob.objects.filter(pk__in=pks).delete()[0] != len(pks):
        raise _ToldElsewhere


def expand_job(pk: int, *, now: dt.datetime | None = None) -> bool:
    """Tell job ``pk``'s event and delete the job, in one transaction; ``False`` when
    another worker has it (or had it), or when the expansion failed.

    The job's row is locked (``SKIP LOCKED``: a busy job is left to its worker) and
    deleted in the transaction that writes what it tells, so a crash midway writes
    nothing and leaves the job for the next sweep, and a job is never told twice. A
    failure rolls back, counts an attempt and retries after :func:`backoff`; after
    :data:`MAX_ATTEMPTS` the job stays, not due, with its error (logged at ERROR)."""
    now = clock.resolve(now)
    try:
        with transaction.atomic():
            job = (
                FanOutJob.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, next_attempt_at__isnull=False)
                .first()
            )
            if job is None:
                return False
            _expand([job])
            _delete([pk])
            return True
    except _ToldElsewhere:
        return False
    except Exception as exc:  # one broken job must not stop the others
        _failed(pk, exc, now)
        return False


class _ToldElsewhere(Exception):
    """Another worker expanded the job meanwhile (rolls this expansion back)."""


def _failed(pk: int, exc: Exception, now: dt.datetime) -> None:
    job = FanOutJob.objects.filter(pk=pk).first()
    if job is None:
        return
    job.attempts += 1
    job.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    if job.attempts >= MAX_ATTEMPTS:
        job.next_attempt_at = None
        log.error("fan-out job %s (%s) given up: %s", job.key, job.kind, job.last_error)
    else:
        job.next_attempt_at = now + backoff(job.attempts)
        log.warning("fan-out job %s failed, retrying: %s", job.key, job.last_error)
    job.save(update_fields=["attempts", "last_error", "next_attempt_at"])
