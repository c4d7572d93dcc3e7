"""Reading cases, one module each for who sees which (``access``), the agent queue and
its review lists (``queue``), what hangs off a case (``records``), and the plan of
teams, sprints and releases (``plans``). Callers import from here, as from
``cases.models``."""

from supportdesk.cases.selectors.access import (
    access_case,
    access_case_by_reference,
    access_cases,
    cases_visible_to,
)
from supportdesk.cases.selectors.plans import (
    Planning,
    planning,
    planning_under,
    releases,
    releases_visible_to,
    sprints,
    sprints_visible_to,
)
from supportdesk.cases.selectors.queue import (
    QUEUE_ORDER,
    QueueFilter,
    case_queue,
    daily_review_list,
    queue_page,
    work_orders,
)
from supportdesk.cases.selectors.records import (
    case_attachments,
    case_comments,
    case_timeline,
    clocks_due_within,
    follow_ups_for,
)

__all__ = [
    "QUEUE_ORDER",
    "Planning",
    "QueueFilter",
    "access_case",
    "access_case_by_reference",
    "access_cases",
    "case_attachments",
    "case_comments",
    "case_queue",
    "case_timeline",
    "cases_visible_to",
    "clocks_due_within",
    "daily_review_list",
    "follow_ups_for",
    "planning",
    "planning_under",
    "queue_page",
    "releases",
    "releases_visible_to",
    "sprints",
    "sprints_visible_to",
    "work_orders",
]
