"""Writing to the outbox: enqueue (with its dedupe key and coalescing window), cancel,
requeue. See the package's docstring for the rules."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext as _

from supportdesk import clock
from supportdesk.accounts.models import Team, User
from supportdesk.domain.errors import DomainError
from supportdesk.notifications import selectors
from supportdesk.notifications.models import (
    MessageKind,
    OutboxMessage,
    OutboxState,
    Priority,
)
from supportdesk.notifications.services import together


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
    new_key: bool = False,
    now: dt.datetime | None = None,
) -> OutboxMessage:
    """Record one outgoing message; call it inside the transaction of the change.

    Exactly one of ``user``, ``team`` or ``address`` names the recipient. Returns the
    existing row, unchanged, when ``dedupe_key`` was enqueued before (the row it was
    folded into, when it was combined). With ``coalesce_key`` and a window, a pending
    message of that key enqueued within the window absorbs this one and is returned;
    urgent messages are never combined.

    ``new_key``: the dedupe key names a row this same transaction created (a new case,
    comment or event), so no other transaction can hold the key and this one cannot
    hold it yet: the row is inserted without the savepoint that catches a duplicate.
    """
    now = clock.resolve(now)
    _require_enqueueable(kind, dedupe_key, user, team, address)
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
        since = now - dt.timedelta(seconds=coalesce_seconds)
        combined = _coalesced(message, since, new_key=new_key)
        if combined is not None:
            return combined
    return _inserted(message, new_key=new_key)


def _require_enqueueable(
    kind: MessageKind | str,
    dedupe_key: str,
    user: User | None,
    team: Team | None,
    address: str,
) -> None:
    """:func:`enqueue`'s preconditions, each refused with the field it is about."""
    if sum(x is not None and x != "" for x in (user, team, address)) != 1:
        raise DomainError(_("name exactly one recipient: user, team or address"), field="recipient")
    if kind not in MessageKind.values:
        raise DomainError(_("unknown message kind '%(kind)s'") % {"kind": kind}, field="kind")
    if not dedupe_key:
        raise DomainError(_("a dedupe key is required"), field="dedupe_key")


def _coalesced(
    message: OutboxMessage, since: dt.datetime, *, new_key: bool
) -> OutboxMessage | None:
    """The pending message of ``message``'s coalesce key since ``since`` that absorbed
    it, else ``None`` (``message`` is then still to be inserted)."""
    if any(m.coalesce_key == message.coalesce_key for m in together.pending(OutboxMessage)):
        together.flush()  # the window must see this batch's own pending mail
    return _combine_new(message, since) if new_key else _combine(message, since)


def _inserted(message: OutboxMessage, *, new_key: bool) -> OutboxMessage:
    """``message`` inserted, or the row its dedupe key was enqueued as before."""
    if new_key:
        # In a fan-out batch: inserted with the batch's other rows (``together``).
        if not together.add(message):
            message.save(force_insert=True)
        return message
    # Insert first: most keys are new (a new case's receipt, a page's first
    # notification), and the unique key is the duplicate check, also against a
    # concurrent transaction enqueueing the same key.
    try:
        with transaction.atomic():
            message.save(force_insert=True)
    except IntegrityError:
        return _existing(message.dedupe_key)
    return message


def _existing(dedupe_key: str) -> OutboxMessage:
    row = OutboxMessage.objects.select_related("combined_into").get(dedupe_key=dedupe_key)
    return row.combined_into or row


#: Between the texts of combined events in one message.
COMBINED_SEPARATOR = "\n\n---\n\n"


def _pending_target(coalesce_key: str, since: dt.datetime) -> OutboxMessage | None:
    """The newest message of ``coalesce_key`` enqueued since ``since`` that no worker
    has claimed."""
    return (
        OutboxMessage.objects.filter(
            coalesce_key=coalesce_key,
            state=OutboxState.PENDING,
            attempts=0,
            created_at__gte=since,
        )
        .order_by("-created_at", "-id")
        .first()
    )


def _combine(message: OutboxMessage, since: dt.datetime) -> OutboxMessage | None:
    """Fold ``message`` into the pending message of its coalesce key enqueued since
    ``since``, if there is one no worker has claimed; ``None`` otherwise."""
    target = _pending_target(message.coalesce_key, since)
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


def _combine_new(message: OutboxMessage, since: dt.datetime) -> OutboxMessage | None:
    """:func:`_combine` for a message whose dedupe key is new (``enqueue``'s
    ``new_key``): the conditional append goes first, so nothing needs rolling back when
    a worker claimed the target meanwhile, and no duplicate key can fail the insert."""
    target = _pending_target(message.coalesce_key, since)
    if target is None:
        return None
    text = COMBINED_SEPARATOR + message.body
    grown = OutboxMessage.objects.filter(pk=target.pk, state=OutboxState.PENDING).update(
        body=Concat(F("body"), Value(text))
    )
    if grown != 1:
        return None
    message.state = OutboxState.COMBINED
    message.combined_into = target
    message.save(force_insert=True)
    # As read plus this text (a concurrent combination is in the row, not here).
    target.body += text
    return target


class _Claimed(Exception):
    """The message to combine into was claimed meanwhile (rolls the combination back)."""


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
