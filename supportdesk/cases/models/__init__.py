"""Cases and everything hanging off them: events, comments, attachments, SLA clocks,
severity changes, follow-up tasks, sprints, releases and idempotency keys (one module
each for the case, its timeline, its clocks, its planning and the work around it)."""

from supportdesk.cases.models.case import NO_DUE, Case, CaseFollower, Channel, Environment
from supportdesk.cases.models.clocks import ClockState, SeverityChange, SlaClock
from supportdesk.cases.models.planning import PlanningStamp, Release, Sprint
from supportdesk.cases.models.timeline import Attachment, CaseEvent, Comment, EventKind
from supportdesk.cases.models.work import (
    FollowUpStatus,
    FollowUpTask,
    IdempotencyKey,
    OutboundMail,
)

__all__ = [
    "NO_DUE",
    "Attachment",
    "Case",
    "CaseEvent",
    "CaseFollower",
    "Channel",
    "ClockState",
    "Comment",
    "Environment",
    "EventKind",
    "FollowUpStatus",
    "FollowUpTask",
    "IdempotencyKey",
    "OutboundMail",
    "PlanningStamp",
    "Release",
    "SeverityChange",
    "SlaClock",
    "Sprint",
]
