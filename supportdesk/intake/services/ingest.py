"""Mail in: one pipeline for the SMTP/LMTP listener, the mail pipe and replays.

:func:`ingest_message` routes the message and stores it, raw bytes and outcome, in
one transaction (the row is written with its outcome, or earlier when routing needs
its key); a routing failure rolls that transaction back and the message commits as
``failed`` with its error in a second one, for an admin to replay
(:func:`process_message`); the MTA hears "accepted" only after the commit, so no mail
is lost. What a message is for is decided by ``domain.mail_routing.route_mail`` over
the facts ``routing`` gathers, and carried out by ``routing`` (docs/email.md).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, transaction
from django.utils.translation import gettext as _

from supportdesk import clock
from supportdesk.domain.errors import DomainError
from supportdesk.domain.mail import (
    NotAMessage,
    ParsedMail,
    parse_message,
)
from supportdesk.domain.mail_headers import content_digest
from supportdesk.domain.policy.model import EmailIntake
from supportdesk.intake import selectors
from supportdesk.intake.models import (
    InboundMessage,
    InboundState,
    InboundVia,
)
from supportdesk.intake.services import routing
from supportdesk.policies import selectors as policy_selectors

log = logging.getLogger(__name__)

#: The fields processing writes (never the raw bytes again).
_OUTCOME = ["state", "reason", "processed_at", "attempts", "case", "follows_case", "refused"]
#: What routing a message writes, the organisation it found included.
_STORED_OUTCOME = [*_OUTCOME, "organization"]


class MessageTooLarge(DomainError):
    """The message exceeds ``email.max_message_bytes`` (SMTP 552, pipe exit 77)."""


class UnreadableMessage(DomainError):
    """The input is not a mail message at all (no headers); pipe exit 65."""


#: Errors that pass: a lock that clears, a deadlock victim, a dropped connection. The
#: message is not stored as failed; the MTA hears 451 (the pipe exits 75) and retries.
TRANSIENT = (OperationalError, InterfaceError)


@dataclass(frozen=True, slots=True)
class Ingested:
    message: InboundMessage
    #: True when this Message-ID was received before: nothing was done.
    duplicate: bool


def site_rules() -> EmailIntake:
    """The email section of the site's default policy (size, rate, unknown senders)."""
    policy = policy_selectors.default_policy()
    return EmailIntake() if policy is None else policy.email


@dataclass(frozen=True, slots=True)
class Delivery:
    """One message as the MTA hands it over (see :func:`ingest_message`)."""

    raw: bytes
    via: InboundVia | str
    envelope_sender: str | None = None
    recipients: tuple[str, ...] = ()


@dataclass(slots=True)
class _Received:
    row: InboundMessage
    mail: ParsedMail
    message_id: str
    content_hash: str
    null_sender: bool
    #: The row's columns as received, before routing wrote anything.
    fields: dict[str, object]

    def as_received(self) -> InboundMessage:
        """A new, unsaved row of the message as it was received."""
        return InboundMessage(**self.fields)


def _receive(delivery: Delivery, rules: EmailIntake, now: dt.datetime) -> _Received:
    """The unsaved row of a delivered message, parsed; :class:`MessageTooLarge` or
    :class:`UnreadableMessage` for one that is never stored."""
    raw, envelope_sender = delivery.raw, delivery.envelope_sender
    if len(raw) > rules.max_message_bytes:
        raise MessageTooLarge(
            _("the message is %(size)s bytes; the limit is %(limit)s")
            % {"size": len(raw), "limit": rules.max_message_bytes},
            field="message",
        )
    try:
        mail = parse_message(raw, envelope_sender)
    except NotAMessage as exc:
        raise UnreadableMessage(str(exc), field="message") from exc
    if envelope_sender is None:
        # A pipe without --sender: the Return-Path the MTA wrote is the envelope sender.
        envelope_sender = mail.return_path
    digest = content_digest(raw)
    # As stored (the column holds 255 characters): duplicates are found by this value
    # and the content's hash together.
    message_id = (mail.message_id or f"<sha256.{digest[:48]}@invalid>")[:255]
    fields: dict[str, object] = {
        "message_id": message_id,
        "content_hash": digest,
        "raw": raw,
        "size": len(raw),
        "sender": mail.sender[:254],
        "envelope_sender": (envelope_sender or "")[:254],
        "recipients": ", ".join(delivery.recipients or mail.recipients)[:2000],
        "subject": mail.subject[:300],
        "via": delivery.via,
        "received_at": now,
        "attempts": 1,
    }
    null_sender = envelope_sender is not None and not envelope_sender.strip("<> ")
    return _Received(InboundMessage(**fields), mail, message_id, digest, null_sender, fields)


def _route_and_store(received: _Received, rules: EmailIntake) -> None:
    """Route the message and store it with its outcome, in the caller's transaction
    (the row is written earlier when routing needs its key)."""
    row, now = received.row, received.row.received_at
    state, reason = routing.route(
        row, received.mail, rules, null_sender=received.null_sender, replay=False, now=now
    )
    row.state, row.reason, row.processed_at = state, _with_recovery(reason, received.mail), now
    if row.pk is None:
        row.save(force_insert=True)
    else:
        row.save(update_fields=_STORED_OUTCOME)


def _with_recovery(reason: str, mail: ParsedMail) -> str:
    """The outcome's reason, saying when the body was recovered from broken MIME."""
    if not mail.recovered:
        return reason
    return (
        f"{reason}; body recovered: {mail.recovered}"
        if reason
        else f"body recovered: {mail.recovered}"
    )


def _routed(received: _Received, rules: EmailIntake) -> Ingested | Exception:
    """Route and store the message in one transaction: its outcome, or why it failed.

    The stored message and what it caused commit together, and the caller (the MTA)
    hears "accepted" only after that commit. A Message-ID stored before (a redelivery,
    or two deliveries at one instant) fails the row's insert on its unique column,
    which rolls back all the routing did: duplicates are rare, so the common message
    pays no look-up for them. Another clash on a unique column is tried once more:
    a delivery beside this one committed what this one created too (the first
    messages of a new sender, arriving together, each make its contact), and the
    second try finds it."""
    retried = False
    while True:
        try:
            with transaction.atomic():
                _route_and_store(received, rules)
            return Ingested(received.row, False)
        except TRANSIENT:
            raise
        except Exception as exc:
            existing = selectors.stored_message(received.message_id, received.content_hash)
            if existing is not None:
                return Ingested(existing, True)
            if retried or not isinstance(exc, IntegrityError):
                return exc
            retried = True
            received.row = received.as_received()


def ingest_message(
    *,
    raw: bytes,
    via: InboundVia | str,
    envelope_sender: str | None = None,
    recipients: tuple[str, ...] = (),
    now: dt.datetime | None = None,
) -> Ingested:
    """Store and route one message. ``envelope_sender`` is the SMTP reverse path
    (``""`` for the null sender ``<>`` of bounces; ``None`` when unknown).

    Raises :class:`MessageTooLarge` or :class:`UnreadableMessage` before storing
    anything, and a :data:`TRANSIENT` database error (a lock, a deadlock, a dropped
    connection) without storing it, for the MTA to retry; every other outcome,
    failures included, is a stored row.
    """
    now = clock.resolve(now)
    rules = site_rules()
    received = _receive(Delivery(raw, via, envelope_sender, recipients), rules, now)
    if received.mail.parts:
        # Attachments reach the file storage before the commit, and a rollback leaves
        # their files behind: a message with parts is looked up before it is routed.
        existing = selectors.stored_message(received.message_id, received.content_hash)
        if existing is not None:
            return Ingested(existing, True)
    outcome = _routed(received, rules)
    if isinstance(outcome, Ingested):
        return outcome
    log.error("inbound message %s failed", received.message_id, exc_info=outcome)
    # The rolled-back row is gone: the message is stored anew, as received.
    row = received.as_received()
    row.state = InboundState.FAILED
    row.reason = f"{type(outcome).__name__}: {outcome}"[:4000]
    row.processed_at = now
    with transaction.atomic():
        row.save(force_insert=True)
    return Ingested(row, False)


def ingest_batch(
    deliveries: Sequence[Delivery], *, now: dt.datetime | None = None
) -> list[Ingested | Exception]:
    """Store and route several messages in one transaction, one commit for all (the
    listener's path under load): the outcome of each, in order, as
    :func:`ingest_message` gives it, or the exception it raised for that message
    (:class:`MessageTooLarge`, :class:`UnreadableMessage`, a ``DatabaseError``).

    A message whose routing fails (or any database error) rolls the whole batch back,
    and the batch is then ingested again message by message, each through
    :func:`ingest_message` in its own transaction: one bad message costs the others
    nothing but time, and is itself kept as ``failed``. Everything returned is
    committed when this returns: only then may each message be acknowledged.
    """
    if len(deliveries) == 1:  # nothing to share a transaction with
        return [_ingest_alone(deliveries[0], now)]
    rules = site_rules()
    outcomes: list[Ingested | Exception | None] = [None] * len(deliveries)
    ready: list[tuple[int, _Received]] = []
    for i, delivery in enumerate(deliveries):
        try:
            ready.append((i, _receive(delivery, rules, clock.resolve(now))))
        except (MessageTooLarge, UnreadableMessage) as exc:
            outcomes[i] = exc
    try:
        with transaction.atomic():
            for i, received in ready:
                # Inside the transaction: a second copy in the same batch is a duplicate.
                existing = selectors.stored_message(received.message_id, received.content_hash)
                if existing is not None:
                    outcomes[i] = Ingested(existing, True)
                    continue
                _route_and_store(received, rules)
                outcomes[i] = Ingested(received.row, False)
    except Exception:
        log.warning("a batch of %d messages failed; ingesting them one by one", len(ready))
        for i, _ in ready:
            outcomes[i] = _ingest_alone(deliveries[i], now)
    done = [outcome for outcome in outcomes if outcome is not None]
    assert len(done) == len(deliveries), "every delivery has its outcome"
    return done


def _ingest_alone(delivery: Delivery, now: dt.datetime | None) -> Ingested | Exception:
    try:
        return ingest_message(
            raw=delivery.raw,
            via=delivery.via,
            envelope_sender=delivery.envelope_sender,
            recipients=delivery.recipients,
            now=now,
        )
    except (MessageTooLarge, UnreadableMessage, DatabaseError) as exc:
        return exc


def process_message(
    *,
    message: InboundMessage,
    mail: ParsedMail | None = None,
    rules: EmailIntake | None = None,
    null_sender: bool = False,
    replay: bool = False,
    now: dt.datetime | None = None,
) -> InboundMessage:
    """Route a stored message again (a replay, an agent's assignment of a held one) in
    one transaction with what it causes, and record the outcome; a failure rolls the
    routing back to a savepoint and leaves the row ``failed``."""
    now = clock.resolve(now)
    rules = rules or site_rules()
    message.attempts += 1
    try:
        with transaction.atomic():
            mail = mail or parse_message(bytes(message.raw), message.envelope_sender or None)
            state, reason = routing.route(
                message, mail, rules, null_sender=null_sender, replay=replay, now=now
            )
            message.state, message.processed_at = state, now
            message.reason = _with_recovery(reason, mail)
            message.save(update_fields=_STORED_OUTCOME)
            return message
    except Exception as exc:
        log.exception("inbound message %s failed", message.pk)
        message.state = InboundState.FAILED
        message.reason = f"{type(exc).__name__}: {exc}"[:4000]
        message.processed_at = now
        message.case = message.follows_case = None
        message.refused = []
        message.save(update_fields=_OUTCOME)
        return message
