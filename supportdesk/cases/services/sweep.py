"""The periodic sweeps: SLA deadlines (RSP-6) and overdue follow-up emails (INT-5)."""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction

from supportdesk import clock
from supportdesk.cases import notices, selectors
from supportdesk.cases.clocks import refresh_clocks
from supportdesk.cases.models import Case, FollowUpStatus, FollowUpTask
from supportdesk.transactions import retry_on_conflict


@retry_on_conflict
def scan_deadlines(*, now: dt.datetime | None = None, batch: int = 200) -> int:
    """RSP-6: refresh the clocks whose next deadline has passed, recording warnings and
    breaches once each. Safe to run concurrently: on PostgreSQL the cases are claimed
    with ``SKIP LOCKED``. Returns the number of cases refreshed.

    Cases are locked before their clock rows, as every case write does, so the sweep
    and the writes never wait for each other in a circle; a case being written right
    now is skipped and refreshed by the next run."""
    now = clock.resolve(now)
    with transaction.atomic():
        due = selectors.clocks_due_within(now=now, within=dt.timedelta(0))
        case_ids = list(dict.fromkeys(due.values_list("case_id", flat=True)[:batch]))
        cases = Case.objects.filter(pk__in=case_ids).select_related("policy_version").order_by("pk")
        if connection.features.has_select_for_update_skip_locked:
            cases = cases.select_for_update(skip_locked=True, of=("self",))
        else:
            cases = cases.select_for_update()
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
