"""Writing to the outbox and delivering from it.

**Enqueue.** Other apps call :func:`enqueue` *inside their own transaction*: the
message exists exactly when the change that caused it is committed. ``dedupe_key`` is
unique; enqueueing the same key again returns the existing row and changes nothing.

**When a message may go out** (docs/notifications.md):

* urgent messages never wait: pages, and anything about a Sev1 case (RSP-1: Sev1
  work is continuous, outside support hours too);
* a non-urgent message to a person waits until that person's working hours begin, when
  they have working hours configured (:class:`~.models.WorkingHours`); without them, and
  for team channels and explicit addresses, it goes out at once.

**Delivery** (:func:`deliver_due`): a worker claims due rows, marking each ``sending``
with a fresh ``lease_token`` and a lease expiry (:data:`LEASE`), delivers outside any
transaction, and finishes with a conditional UPDATE on its token. On PostgreSQL the
claim uses ``SELECT … FOR UPDATE SKIP LOCKED``; SQLite's IMMEDIATE transactions
serialise claims. A worker that dies mid-delivery leaves the row ``sending``; once the
lease expires another worker claims it again. Every target that accepted the message is
recorded (:class:`~.models.DeliveryAttempt` with ``ok``) the moment it did, and a
re-claim skips it, so a page already handed to PagerDuty is not sent again; before
each target the worker renews its lease with a conditional UPDATE and stops if the lease
was taken over. The one remaining window (a crash between the provider accepting and
the attempt row being written) makes delivery at-least-once for that target.

**Coalescing**: a message with a ``coalesce_key`` (one person, one case) that finds a
pending message of the same key enqueued within ``coalesce_seconds`` and not yet
claimed is folded into it: the pending row's body grows by the new text and keeps its
send time; the new row is stored ``combined`` (so its dedupe key still holds).

**Retries**: a failed delivery is retried after ``BACKOFF_BASE * 2 ** (attempts - 1)``
(capped at :data:`BACKOFF_CAP`); after :data:`MAX_ATTEMPTS` claims it is dead-lettered.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from dataclasses import dataclass, field

import apprise
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat

from supportdesk import clock
from supportdesk.accounts.models import Team, User
from supportdesk.conf import desk_settings
from supportdesk.domain.errors import DomainError
from supportdesk.notifications import selectors
from supportdesk.notifications.models import (
    DeliveryAttempt,
    MessageKind,
    Notification,
    OutboxMessage,
    OutboxState,
    Preferences,
    Priority,
)

log = logging.getLogger(__name__)

#: How long a claim is exclusive; a worker silent for longer is presumed dead.
LEASE = dt.timedelta(seconds=120)
MAX_ATTEMPTS = 6
BACKOFF_BASE = dt.timedelta(seconds=30)
BACKOFF_CAP = dt.timedelta(hours=1)


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th failed try (1 → 30 s, 2 → 60 s, … ≤ 1 h)."""
    return min(BACKOFF_BASE * (1 << max(attempts - 1, 0)), BACKOFF_CAP)


def is_urgent(kind: str, severity: int | None) -> bool:
    # RSP-1 / INT-2: pages and Sev1 messages never wait for anyone's working hours.
    return kind == MessageKind.PAGE or severity == 1


def enqueue(
    *,
    kind: MessageKind | str,
    subject: str,
    dedupe_key: str,
    body: str = "",
    user: User | None = None,
    team: Team | None = None,
    address: str = "",
    severity: int | None = None,
    coalesce_key: str = "",
    coalesce_seconds: int = 0,
    unsubscribe_url: str = "",
    now: dt.datetime | None = None,
) -> OutboxMessage:
    """Record one outgoing message; call it inside the transaction of the change.

    Exactly one of ``user``, ``team`` or ``address`` names the recipient. Returns the
    existing row, unchanged, when ``dedupe_key`` was enqueued before (the row it was
    folded into, when it was combined). With ``coalesce_key`` and a window, a pending
    message of that key enqueued within the window absorbs this one and is returned;
    urgent messages are never combined.
    """
    now = clock.resolve(now)
    if sum(x is not None and x != "" for x in (user, team, address)) != 1:
        raise DomainError("name exactly one recipient: user, team or address", field="recipient")
    if kind not in MessageKind.values:
        raise DomainError(f"unknown message kind {kind!r}", field="kind")
    if not dedupe_key:
        raise DomainError("a dedupe key is required", field="dedupe_key")
    urgent = is_urgent(kind, severity)
    send_at = now if urgent or user is None else selectors.next_working_instant(user, now)
    message = OutboxMessage(
        kind=kind,
        priority=Priority.URGENT if urgent else Priority.NORMAL,
        severity=severity,
        recipient_user=user,
        recipient_team=team,
        address=address,
        subject=subject[:300],
        body=body,
        dedupe_key=dedupe_key,
        created_at=now,
        next_attempt_at=send_at,
        coalesce_key="" if urgent else coalesce_key,
        unsubscribe_url=unsubscribe_url,
    )
    if message.coalesce_key and coalesce_seconds > 0:
        combined = _combine(message, now - dt.timedelta(seconds=coalesce_seconds))
        if combined is not None:
            return combined
    # Insert first: most keys are new (a new case's receipt, a page's first
    # notification), and the unique key is the duplicate check, also against a
    # concurrent transaction enqueueing the same key.
    try:
        with transaction.atomic():
            message.save(force_insert=True)
    except IntegrityError:
        return _existing(dedupe_key)
    return message


def _existing(dedupe_key: str) -> OutboxMessage:
    row = OutboxMessage.objects.select_related("combined_into").get(dedupe_key=dedupe_key)
    return row.combined_into or row


#: Between the texts of combined events in one message.
COMBINED_SEPARATOR = "\n\n---\n\n"


def _combine(message: OutboxMessage, since: dt.datetime) -> OutboxMessage | None:
    """Fold ``message`` into the pending message of its coalesce key enqueued since
    ``since``, if there is one no worker has claimed; ``None`` otherwise."""
    target = (
        OutboxMessage.objects.filter(
            coalesce_key=message.coalesce_key,
            state=OutboxState.PENDING,
            attempts=0,
            created_at__gte=since,
        )
        .order_by("-created_at", "-id")
        .first()
    )
    if target is None:
        return None
    message.state = OutboxState.COMBINED
    message.combined_into = target
    try:
        with transaction.atomic():
            message.save(force_insert=True)
            # Conditional: a worker that claimed the target in between wins, and this
            # message then goes out on its own.
            grown = OutboxMessage.objects.filter(pk=target.pk, state=OutboxState.PENDING).update(
                body=Concat(F("body"), Value(COMBINED_SEPARATOR + message.body))
            )
            if grown != 1:
                raise _Claimed
    except IntegrityError:
        return _existing(message.dedupe_key)
    except _Claimed:
        message.pk = None
        message.state = OutboxState.PENDING
        message.combined_into = None
        return None
    target.refresh_from_db()
    return target


class _Claimed(Exception):
    """The message to combine into was claimed meanwhile (rolls the combination back)."""


# -- delivery ---------------------------------------------------------------------------


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
        started = time.perf_counter()
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
        if error is not None:
            errors.append(f"{selectors.redacted(target)}: {error}")
    if not errors:
        state = OutboxState.SENT
        fields: dict[str, object] = {"sent_at": now, "last_error": ""}
    elif claim.attempts >= MAX_ATTEMPTS:
        state = OutboxState.DEAD
        fields = {"last_error": "\n".join(errors)}
    else:
        state = OutboxState.PENDING
        fields = {"next_attempt_at": now + backoff(claim.attempts), "last_error": "\n".join(errors)}
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
    """Claim up to ``batch`` due messages and deliver them; idempotent, safe to run on
    several workers at once."""
    now = clock.resolve(now)
    report = DeliveryReport()
    started = time.perf_counter()
    for claim in claim_due(now=now, batch=batch, lease=lease):
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
    return report


def cancel_pending(*, dedupe_keys: list[str]) -> int:
    """Withdraw those of these messages that have not started going out; returns how many.

    A message already ``sending`` is not recalled: it may be in a provider's hands.
    """
    return OutboxMessage.objects.filter(
        dedupe_key__in=dedupe_keys, state=OutboxState.PENDING
    ).update(state=OutboxState.CANCELLED, lease_token=None)


def requeue_dead(*, message: OutboxMessage, now: dt.datetime | None = None) -> bool:
    """Give a dead-lettered message a fresh set of attempts (an operator's action)."""
    now = clock.resolve(now)
    return (
        OutboxMessage.objects.filter(pk=message.pk, state=OutboxState.DEAD).update(
            state=OutboxState.PENDING, attempts=0, next_attempt_at=now
        )
        == 1
    )


# -- in-app notices and preferences ------------------------------------------------------


def notify_in_app(
    *,
    user: User,
    event: str,
    title: str,
    body: str = "",
    url: str = "",
    case_id: int | None = None,
    escalation_id: int | None = None,
    now: dt.datetime | None = None,
) -> Notification:
    """One bell entry for ``user``; call it inside the transaction of the change."""
    return Notification.objects.create(
        recipient=user,
        event=event,
        title=title[:300],
        body=body,
        url=url[:300],
        case_id=case_id,
        escalation_id=escalation_id,
        created_at=clock.resolve(now),
    )


def notify_in_app_many(
    *,
    users: list[User],
    event: str,
    title: str,
    body: str = "",
    url: str = "",
    case_id: int | None = None,
    now: dt.datetime | None = None,
) -> None:
    """The same bell entry for each of ``users`` (a team's members), in one statement."""
    now = clock.resolve(now)
    Notification.objects.bulk_create(
        Notification(
            recipient=user,
            event=event,
            title=title[:300],
            body=body,
            url=url[:300],
            case_id=case_id,
            created_at=now,
        )
        for user in users
    )


def mark_read(*, user: User, notification_ids: list[int], now: dt.datetime | None = None) -> int:
    """Mark these of the person's own notifications read; returns how many changed."""
    return (
        selectors.unread_for(user)
        .filter(pk__in=notification_ids)
        .update(read_at=clock.resolve(now))
    )


def mark_all_read(*, user: User, now: dt.datetime | None = None) -> int:
    return selectors.unread_for(user).update(read_at=clock.resolve(now))


def save_preferences(
    *,
    user: User,
    time_zone: str,
    language: str,
    channels: dict[str, list[str]],
) -> Preferences:
    """Store a person's zone, language and channels per event group. Groups of
    essential events keep their email whatever is stored (``wanted_channels``)."""
    if time_zone not in selectors.time_zones():
        raise DomainError(f"unknown time zone {time_zone!r}", field="time_zone")
    if language and language not in selectors.languages():
        raise DomainError(f"unknown language {language!r}", field="language")
    for group, chosen in channels.items():
        if group not in selectors.EVENT_GROUPS:
            raise DomainError(f"unknown event group {group!r}", field="channels")
        for channel in chosen:
            if channel not in selectors.CHANNELS:
                raise DomainError(f"unknown channel {channel!r}", field=f"channels.{group}")
    with transaction.atomic():
        if user.time_zone != time_zone:
            user.time_zone = time_zone
            user.save(update_fields=["time_zone"])
        prefs, _ = Preferences.objects.get_or_create(user=user)
        prefs.language = language
        prefs.channels = {group: list(dict.fromkeys(c)) for group, c in channels.items()}
        prefs.save(update_fields=["language", "channels"])
        return prefs


def unsubscribe(*, token: str) -> tuple[User, str]:
    """Turn email off for the group a signed unsubscribe link names (one click);
    returns the person and the group. :class:`DomainError` for a bad or forged link."""
    user, group = selectors.unsubscribe_target(token)
    with transaction.atomic():
        prefs, _ = Preferences.objects.select_for_update().get_or_create(user=user)
        current = prefs.channels.get(group, list(selectors.CHANNELS))
        prefs.channels = {**prefs.channels, group: [c for c in current if c != "email"]}
        prefs.save(update_fields=["channels"])
    return user, group
