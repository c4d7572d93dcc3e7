"""Reads for the email channel: the holding queue, the dead-letter list and a case's mail."""

from __future__ import annotations

from django.db.models import QuerySet

from supportdesk.intake.models import REPLAYABLE, InboundMessage, InboundState, OutboundMail


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
