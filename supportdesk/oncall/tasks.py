"""Thin Celery tasks over the on-call services."""

from __future__ import annotations

from celery import shared_task

from supportdesk.oncall import services


@shared_task(name="oncall.advance_pages")  # type: ignore[untyped-decorator]
def advance_pages() -> dict[str, int]:
    """Re-notify, escalate and hand off open pages (the periodic sweep)."""
    report = services.advance_pages()
    return {"notified": len(report.notified), "handed_off": len(report.handed_off)}
