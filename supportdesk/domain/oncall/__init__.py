"""On-call: who is on call at an instant (:mod:`.schedules`) and what a page should do
next (:mod:`.paging`). Pure: every instant is an argument. Rules in docs/oncall.md.

Import from here::

    from supportdesk.domain.oncall import Schedule, who_is_on_call, next_page_actions
"""

from supportdesk.domain.oncall.paging import (
    DueNotification,
    PagePlan,
    PageState,
    PageStep,
    SentNotification,
    next_page_actions,
)
from supportdesk.domain.oncall.schedules import (
    HANDOFF_HORIZON,
    Handoff,
    Layer,
    OnCallAnswer,
    OnCallSource,
    Override,
    RotationPeriod,
    Schedule,
    layer_person,
    next_handoff,
    resolve_local,
    who_is_on_call,
)

__all__ = [
    "HANDOFF_HORIZON",
    "DueNotification",
    "Handoff",
    "Layer",
    "OnCallAnswer",
    "OnCallSource",
    "Override",
    "PagePlan",
    "PageState",
    "PageStep",
    "RotationPeriod",
    "Schedule",
    "SentNotification",
    "layer_person",
    "next_handoff",
    "next_page_actions",
    "resolve_local",
    "who_is_on_call",
]
