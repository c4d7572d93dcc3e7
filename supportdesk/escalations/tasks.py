"""Thin Celery tasks over the escalation services."""

from __future__ import annotations

from celery import shared_task

from supportdesk.escalations import services


@shared_task(name="escalations.send_reminders")  # type: ignore[untyped-decorator]
def send_reminders(batch: int = 200) -> int:
    """Send the reminders due now and close escalations left unanswered (ESC-8)."""
    return services.send_due_reminders(batch=batch)


@shared_task(name="escalations.flag_overdue")  # type: ignore[untyped-decorator]
def flag_overdue(batch: int = 200) -> int:
    """Report escalations whose acknowledgement or next update is overdue (ESC-6)."""
    return services.flag_overdue_escalations(batch=batch)


@shared_task(name="escalations.hand_on_decisions")  # type: ignore[untyped-decorator]
def hand_on_decisions() -> int:
    """Move pending decisions out of regions that have closed (ESC-7, HRS-3)."""
    return len(services.hand_on_decisions())
