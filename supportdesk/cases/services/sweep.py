"""The periodic sweeps: SLA deadlines (RSP-6) and overdue follow-up emails (INT-5)."""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction

from supportdesk import clock
from supportdesk.cases import notices, selectors
from supportdesk.cases.clocks import refresh_clocks
from supportdesk.cases.models import Case, FollowUpStatus, FollowUpTask


def scan_deadlines(*, now: dt.datetime | None = None, batch: int = 200) -> int:
    """RSP-6: refresh the clocks whose next deadline has passed, recording warnings and
    breaches once each. Safe to run concurrently: on PostgreSQL rows are claimed with
    ``SKIP LOCKED``. Returns the number of cases refreshed."""
    now = clock.resolve(now)
    with transaction.atomic():
        qs = selectors.clocks_due_within(now=now, within=dt.timedelta(0))
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        case_ids = sorted({c.case_id for c in qs[:batch]})
        cases = (
            Case.objects.filter(pk__in=case_ids)
            .select_related("policy_version")
            .select_for_update(of=("self",))
        )
        count = 0
        for case in cases:
            refresh_clocks(case, now=now)
            case.save(update_fields=["queue_due_at"])
            count += 1
        return count


def remind_follow_ups(*, now: dt.datetime | None = None, batch: int = 200) -> int:
    """INT-5: remind the owner of each open follow-up whose due instant has passed, once.
    Returns how many were reminded."""
    now = clock.resolve(now)
    with transaction.atomic():
        due = FollowUpTask.objects.filter(
            status=FollowUpStatus.OPEN, due_at__lte=now, reminded_at__isnull=True
        ).select_related("case", "assignee")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        tasks = list(due.order_by("due_at", "id")[:batch])
        for task in tasks:
            notices.follow_up_reminder(task=task, now=now)
            task.reminded_at = now
            task.save(update_fields=["reminded_at"])
        return len(tasks)
