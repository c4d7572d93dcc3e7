"""Periodic work for satisfaction surveys: a thin wrapper over the service."""

from __future__ import annotations

from celery import shared_task

from supportdesk.satisfaction import services


@shared_task(name="satisfaction.send_surveys")  # type: ignore[untyped-decorator]
def send_surveys() -> int:
    """Ask the requesters of recently resolved cases to rate them (idempotent)."""
    return services.send_surveys()
