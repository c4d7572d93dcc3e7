"""Reads for the email channel: the holding queue and the dead-letter list."""

from __future__ import annotations

from django.db.models import QuerySet

from supportdesk.intake.models import REPLAYABLE, InboundMessage, InboundState


def held_messages() -> QuerySet[InboundMessage]:
    """Mail from unknown senders waiting for an agent to name their organisation."""
    return InboundMessage.objects.filter(state=InboundState.HELD).order_by("received_at", "id")


def replayable_messages() -> QuerySet[InboundMessage]:
    """The retry / dead-letter list: mail that failed (or was never processed)."""
    return InboundMessage.objects.filter(state__in=REPLAYABLE).order_by("received_at", "id")
