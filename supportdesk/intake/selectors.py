"""Reads for the email channel: the holding queue, the dead-letter list, a case's mail,
and what routing a message reads (a stored Message-ID, the sender, their rate)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from supportdesk.accounts.models import User
from supportdesk.cases.models import OutboundMail
from supportdesk.intake.models import REPLAYABLE, InboundMessage, InboundState


def held_messages() -> QuerySet[InboundMessage]:
    """Mail from unknown senders waiting for an agent to name their organisation."""
    return InboundMessage.objects.filter(state=InboundState.HELD).order_by("received_at", "id")


def replayable_messages() -> QuerySet[InboundMessage]:
    """The retry / dead-letter list: mail that failed (or was never processed)."""
    return InboundMessage.objects.filter(state__in=REPLAYABLE).order_by("received_at", "id")


#: The order of a case's mail lists (newest first; the id breaks ties for paging).
MAIL_ORDER = ("-received_at", "-id")
SENT_ORDER = ("-created_at", "-id")


def case_received_mail(case_id: int) -> QuerySet[InboundMessage]:
    """The mail a case received (its opening message and every reply), without the raw
    bytes, which only a message's own page reads."""
    return InboundMessage.objects.filter(case_id=case_id).defer("raw").order_by(*MAIL_ORDER)


def case_sent_mail(case_id: int) -> QuerySet[OutboundMail]:
    """The mail sent about a case (receipts, agent replies, changes), with its outbox
    message (recipient, subject, delivery state)."""
    return (
        OutboundMail.objects.filter(case_id=case_id).select_related("outbox").order_by(*SENT_ORDER)
    )


def case_message(case_id: int, message_id: int) -> InboundMessage | None:
    """One message the case received, raw bytes included; None when it is not the
    case's (a message is reached only through its own case)."""
    return InboundMessage.objects.filter(pk=message_id, case_id=case_id).first()


def stored_message(message_id: str) -> InboundMessage | None:
    """The message stored under this Message-ID (its outcome, not its raw bytes)."""
    return (
        InboundMessage.objects.filter(message_id=message_id)
        .only("message_id", "state", "case", "received_at")
        .first()
    )


def messages_from_since(sender: str, since: dt.datetime, *, besides: int | None) -> int:
    """How many messages ``sender`` sent after ``since``, the stored message ``besides``
    left out: the rate limit's count."""
    qs = InboundMessage.objects.filter(sender=sender, received_at__gt=since)
    return (qs.exclude(pk=besides) if besides is not None else qs).count()


def active_user_by_address(address: str) -> User | None:
    """The active user whose email is ``address`` (any case; the oldest if several),
    with their organisation and its contract's current policy version (without its
    source), so a new case needs no further read for either."""
    return (
        User.objects.filter(email__iexact=address, is_active=True)
        .select_related("organization__policy__current_version")
        .defer("organization__policy__current_version__source")
        .order_by("pk")
        .first()
    )


def contact_in(address: str, organisation_id: int) -> User | None:
    """The user of ``address`` in the organisation (a contact made from earlier mail)."""
    return (
        User.objects.filter(email__iexact=address, organization_id=organisation_id)
        .order_by("pk")
        .first()
    )
