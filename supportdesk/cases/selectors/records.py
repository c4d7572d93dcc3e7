"""What hangs off a case, as a viewer may see it: timeline, comments, attachments and
follow-ups; and the SLA clocks coming due."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from supportdesk.accounts.models import User
from supportdesk.cases.models import (
    Attachment,
    Case,
    CaseEvent,
    Comment,
    FollowUpStatus,
    FollowUpTask,
    SlaClock,
)
from supportdesk.cases.selectors.access import cases_visible_to
from supportdesk.domain.lifecycle import CaseStatus


def case_timeline(viewer: User, case: Case) -> QuerySet[CaseEvent]:
    """The case's events; customers see only the public ones."""
    qs = CaseEvent.objects.filter(case=case).select_related("actor")
    return qs if viewer.is_vendor_staff else qs.filter(public=True)


def case_comments(viewer: User, case: Case) -> QuerySet[Comment]:
    """The case's comments; customers never see internal ones."""
    qs = Comment.objects.filter(case=case).select_related("author")
    return qs if viewer.is_vendor_staff else qs.filter(public=True)


def case_attachments(viewer: User, case: Case) -> QuerySet[Attachment]:
    qs = Attachment.objects.filter(case=case)
    return qs if viewer.is_vendor_staff else qs.filter(public=True)


def clocks_due_within(*, now: dt.datetime, within: dt.timedelta) -> QuerySet[SlaClock]:
    """RSP-6: clocks whose next warning or breach falls before ``now + within`` (overdue
    ones included), of cases not closed, nearest first: what the sweep works through
    (``within`` zero) and what a "due within the hour" view lists."""
    return (
        SlaClock.objects.filter(next_deadline_at__lte=now + within)
        .exclude(case__status=CaseStatus.CLOSED)
        .order_by("next_deadline_at")
    )


def follow_ups_for(
    viewer: User, *, case: Case | None = None, open_only: bool = False
) -> QuerySet[FollowUpTask]:
    qs = FollowUpTask.objects.filter(case__in=cases_visible_to(viewer)).select_related(
        "case", "assignee"
    )
    if case is not None:
        qs = qs.filter(case=case)
    if open_only:
        qs = qs.filter(status=FollowUpStatus.OPEN)
    return qs
