"""Periodic work for cases: thin wrappers over services."""

from __future__ import annotations

from celery import shared_task

from supportdesk.cases import services


@shared_task(name="sla.scan_deadlines")  # type: ignore[untyped-decorator]
def scan_deadlines() -> int:
    """RSP-6: record SLA warnings and breaches whose instant has passed (idempotent)."""
    return services.scan_deadlines()


@shared_task(name="cases.sweep_orphan_files")  # type: ignore[untyped-decorator]
def sweep_orphan_files() -> int:
    """Delete stored files that no attachment names (left by rolled-back uploads)."""
    return len(services.sweep_orphan_files())


@shared_task(name="cases.hand_over_open_cases")  # type: ignore[untyped-decorator]
def hand_over_open_cases() -> int:
    """HRS-3: hand open follow-the-sun cases of a closed region to the next one (idempotent)."""
    return len(services.hand_over_open_cases())
