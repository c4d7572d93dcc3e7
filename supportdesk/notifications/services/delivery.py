"""Delivering from the outbox: claims under a lease, one attempt row per target,
retries with backoff, dead letters. See the package's docstring for the rules."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import apprise
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import F, Q

from supportdesk import clock
from supportdesk.conf import desk_settings
from supportdesk.notifications import selectors
from supportdesk.notifications.models import (
    DeliveryAttempt,
    OutboxMessage,
    OutboxState,
)

log = logging.getLogger(__name__)

#: How long a claim is exclusive; a worker silent for longer is presumed dead, so what
#: a crashed worker held (a Sev1 page among it) waits at most this long. A worker
#: delivering renews it every third of it (:func:`_keeping`).
LEASE = dt.timedelta(seconds=30)
#: Messages claimed at a time: a new urgent message waits for at most this many
#: deliveries, and a crash strands at most this many for a lease.
CLAIM_SIZE = 5
MAX_ATTEMPTS = 6
BACKOFF_BASE = dt.timedelta(seconds=30)
BACKOFF_CAP = dt.timedelta(hours=1)


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th failed try (1 → 30 s, 2 → 60 s, … ≤ 1 h)."""
    return min(BACKOFF_BASE * (1 << max(attempts - 1, 0)), BACKOFF_CAP)


@dataclass(frozen=True, slots=True)
class Claim:
    message_id: int
    token: uuid.UUID
    attempts: int


@dataclass(slots=True)
class DeliveryReport:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    dead: list[int] = field(default_factory=list)
    #: Claims whose lease another worker took over before this one finished.
    lost: list[int] = field(default_factory=list)


def _due(now: dt.datetime) -> Q:
    return Q(state=OutboxState.PENDING, next_attempt_at__lte=now) | Q(
        state=OutboxState.SENDING, lease_expires_at__lte=now
    )


def claim_due(*, now: dt.datetime, batch: int, lease: dt.timedelta = LEASE) -> list[Claim]:
    """Claim up to ``batch`` due messages (urgent first) for this worker.

    Each claimed row is ``sending`` with a new token, its lease expiring at
    ``now + lease``, and one more attempt counted. Safe to call from many workers at
    once: a row is claimed by one of them only.
    """
    claims: list[Claim] = []
    with transaction.atomic():
        # "urgent" sorts after "normal", so descending priority puts urgent first.
        qs = OutboxMessage.objects.filter(_due(now)).order_by("-priority", "next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        for message_id in list(qs.values_list("id", flat=True)[:batch]):
            token = uuid.uuid4()
            claimed = (
                OutboxMessage.objects.filter(_due(now), pk=message_id).update(
                    state=OutboxState.SENDING,
                    lease_token=token,
                    lease_expires_at=now + lease,
                    attempts=F("attempts") + 1,
                )
                == 1
            )
            if claimed:
                attempts = OutboxMessage.objects.values_list("attempts", flat=True).get(
                    pk=message_id
                )
                claims.append(Claim(message_id, token, attempts))
    return claims


@contextmanager
def _keeping(claim: Claim, lease: dt.timedelta) -> Iterator[None]:
    """Renew ``claim`` every third of the lease while a slow target is being sent to, so
    a delivery that takes longer than the lease is not handed to another worker. The
    renewals count from the wall clock: the sweep's ``now`` may be an injected instant."""
    stop = threading.Event()

    def renew() -> None:
        try:
            while not stop.wait(lease.total_seconds() / 3):
                OutboxMessage.objects.filter(_holding(claim)).update(
                    lease_expires_at=clock.now() + lease
                )
        finally:
            connection.close()

    keeper = threading.Thread(target=renew, name=f"lease-{claim.message_id}", daemon=True)
    keeper.start()
    try:
        yield
    finally:
        stop.set()
        keeper.join()


def _holding(claim: Claim) -> Q:
    return Q(pk=claim.message_id, state=OutboxState.SENDING, lease_token=claim.token)


def _renew(claim: Claim, now: dt.datetime, lease: dt.timedelta) -> bool:
    return OutboxMessage.objects.filter(_holding(claim)).update(lease_expires_at=now + lease) == 1


def send_to_target(target: str, message: OutboxMessage) -> str | None:
    """Hand ``message`` to one target; ``None`` on success, else the error text.

    A plain address (``name@host``, no scheme) goes through Django's email backend;
    anything else is an apprise URL (``json://``, ``jsons://``, ``slack://``,
    ``msteams://``, ``pagerduty://``, ``opsgenie://``, SMS gateways, ``mailto://``).
    """
    if "://" not in target:
        if "@" not in target:
            return f"{target!r} is neither an email address nor an apprise URL"
        try:
            _send_email(message, target)
        except Exception as exc:  # the backend's error is the attempt's error
            return f"{type(exc).__name__}: {exc}"
        return None
    notifier = apprise.Apprise()
    if not notifier.add(target):
        return f"{selectors.redacted(target)} is not a supported apprise URL"
    with apprise.LogCapture(level=apprise.logging.WARNING) as captured:  # type: ignore[no-untyped-call]
        ok = notifier.notify(title=message.subject, body=message.body or message.subject)
    if ok:
        return None
    return (captured.getvalue().strip() or "delivery refused")[-2000:]


def _send_email(message: OutboxMessage, target: str) -> None:
    """Mail through Django's backend. Every message carries a stable Message-ID and
    ``Auto-Submitted`` (RFC 3834: robots must not answer it); a message with a mail
    envelope (``intake.OutboundMail``: case mail) carries its own Message-ID, its
    threading headers and an HTML part."""
    envelope = getattr(message, "mail_envelope", None)
    headers = {
        "Message-ID": f"<outbox-{message.pk}@{desk_settings.mail_domain}>",
        "Auto-Submitted": "auto-generated",
    }
    if envelope is not None:
        headers = envelope.headers()
    if message.unsubscribe_url:
        # RFC 2369 / RFC 8058: the mail client's one-click unsubscribe.
        headers["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail = EmailMultiAlternatives(
        message.subject, message.body, desk_settings.mail_from, [target], headers=headers
    )
    if envelope is not None and envelope.html:
        mail.attach_alternative(envelope.html, "text/html")
    mail.send()


def _attempt(
    claim: Claim,
    message: OutboxMessage,
    target: str,
    *,
    key: str,
    now: dt.datetime,
    lease: dt.timedelta,
) -> str | None:
    """Send ``message`` to one target, the claim kept alive meanwhile, and record the
    attempt's row (``key``: the target's :func:`~selectors.target_key`); the error
    text, or ``None`` when it was delivered."""
    started = time.perf_counter()
    with _keeping(claim, lease):
        error = send_to_target(target, message)
    DeliveryAttempt.objects.create(
        message=message,
        attempt=claim.attempts,
        target=selectors.redacted(target),
        target_key=key,
        started_at=now,
        duration_ms=int((time.perf_counter() - started) * 1000),
        ok=error is None,
        error=error or "",
    )
    return error


def _outcome(
    claim: Claim, errors: list[str], now: dt.datetime
) -> tuple[OutboxState, dict[str, object]]:
    """The state a claim ends in and the fields written with it: sent without
    ``errors``, else retried after a backoff, or dead after :data:`MAX_ATTEMPTS`."""
    if not errors:
        return OutboxState.SENT, {"sent_at": now, "last_error": ""}
    if claim.attempts >= MAX_ATTEMPTS:
        return OutboxState.DEAD, {"last_error": "\n".join(errors)}
    return OutboxState.PENDING, {
        "next_attempt_at": now + backoff(claim.attempts),
        "last_error": "\n".join(errors),
    }


def deliver_claim(
    claim: Claim,
    *,
    now: dt.datetime,
    lease: dt.timedelta = LEASE,
    sweep_started: float | None = None,
) -> OutboxState | None:
    """Deliver one claimed message to each target not yet delivered, then finish it.

    Every row timestamp is ``now`` (the sweep's instant). Lease renewals add the time
    the sweep has taken since ``sweep_started`` (a ``time.perf_counter()`` reading), so
    a renewal late in a long batch really extends the lease.

    Returns the state written, or ``None`` when the lease was lost (another worker
    owns the message now and this one wrote nothing but its attempt rows).
    """
    message = OutboxMessage.objects.get(pk=claim.message_id)
    targets = selectors.message_targets(message)
    done = selectors.delivered_target_keys(message)
    errors: list[str] = []
    if not targets:
        # Retried like any failure: a channel or address added meanwhile still gets it.
        errors.append("no enabled channel for this recipient")
    for target in targets:
        key = selectors.target_key(target)
        if key in done:
            continue
        elapsed = time.perf_counter() - sweep_started if sweep_started is not None else 0.0
        if not _renew(claim, now + dt.timedelta(seconds=elapsed), lease):
            return None
        error = _attempt(claim, message, target, key=key, now=now, lease=lease)
        if error is not None:
            errors.append(f"{selectors.redacted(target)}: {error}")
    state, fields = _outcome(claim, errors, now)
    finished = OutboxMessage.objects.filter(_holding(claim)).update(
        state=state, lease_token=None, lease_expires_at=None, **fields
    )
    if finished != 1:
        return None
    if state is OutboxState.DEAD:
        log.error("outbox message %s dead-lettered: %s", message.pk, fields["last_error"])
    return state


def deliver_due(
    *, now: dt.datetime | None = None, batch: int = 50, lease: dt.timedelta = LEASE
) -> DeliveryReport:
    """Deliver up to ``batch`` due messages, claimed :data:`CLAIM_SIZE` at a time
    (urgent first in each claim, so an urgent message queued meanwhile goes next);
    idempotent, safe to run on several workers at once."""
    now = clock.resolve(now)
    report = DeliveryReport()
    started = time.perf_counter()
    handled = 0
    while handled < batch:
        claims = claim_due(now=now, batch=min(CLAIM_SIZE, batch - handled), lease=lease)
        if not claims:
            break
        handled += len(claims)
        _deliver_claims(claims, report, now=now, lease=lease, started=started)
    return report


def _deliver_claims(
    claims: list[Claim],
    report: DeliveryReport,
    *,
    now: dt.datetime,
    lease: dt.timedelta,
    started: float,
) -> None:
    for claim in claims:
        try:
            state = deliver_claim(claim, now=now, lease=lease, sweep_started=started)
        except Exception:
            # Leave the row claimed: the lease expires and another sweep retries it.
            log.exception("delivering outbox message %s failed", claim.message_id)
            continue
        bucket = {
            None: report.lost,
            OutboxState.SENT: report.sent,
            OutboxState.PENDING: report.retrying,
            OutboxState.DEAD: report.dead,
        }[state]
        bucket.append(claim.message_id)
