"""Thin Celery tasks over the outbox services."""

from __future__ import annotations

from celery import shared_task

from supportdesk.notifications import services


@shared_task(name="notifications.deliver")  # type: ignore[untyped-decorator]
def deliver(batch: int = 50) -> dict[str, int]:
    """Deliver the messages due now (the periodic sweep)."""
    report = services.deliver_due(batch=batch)
    return {
        "sent": len(report.sent),
        "retrying": len(report.retrying),
        "dead": len(report.dead),
        "lost": len(report.lost),
    }


@shared_task(name="notifications.expand")  # type: ignore[untyped-decorator]
def expand(batch: int = 200) -> int:
    """Tell the events waiting to be told (their fan-out jobs); how many were told."""
    return services.expand_due(batch=batch)
