"""Writing cases: one function per use case, each in one transaction.

Every change appends a :class:`CaseEvent` and refreshes the case's SLA clocks from its
history (``clocks.refresh_clocks``), so a refused request leaves nothing half-written.
"""

from __future__ import annotations

from supportdesk.cases.services.details import give_details
from supportdesk.cases.services.emergency import confirm_emergency
from supportdesk.cases.services.emergency_review import review_emergency
from supportdesk.cases.services.files import sweep_orphan_files
from supportdesk.cases.services.followers import (
    follow_case,
    follow_from_mail,
    mark_case_seen,
    mark_customer_activity,
    unfollow_case,
)
from supportdesk.cases.services.handover import (
    HandOverPrompt,
    hand_over_open_cases,
    handover_prompt,
    write_handover_note,
)
from supportdesk.cases.services.idempotency import fingerprint
from supportdesk.cases.services.intake import open_case
from supportdesk.cases.services.lifecycle import (
    add_attachment,
    add_comment,
    assign_case,
    comment_on,
    complete_follow_up,
    set_escalated,
    transition_case,
)
from supportdesk.cases.services.planning import (
    SprintConflict,
    create_release,
    create_sprint,
    link_release,
    plan_case_into_sprint,
)
from supportdesk.cases.services.records import (
    AttachmentTooLarge,
    IdempotencyConflict,
    UnsupportedMediaType,
    actor_kind,
)
from supportdesk.cases.services.severity import change_severity
from supportdesk.cases.services.sweep import remind_follow_ups, scan_deadlines

__all__ = [
    "AttachmentTooLarge",
    "HandOverPrompt",
    "IdempotencyConflict",
    "SprintConflict",
    "UnsupportedMediaType",
    "actor_kind",
    "add_attachment",
    "add_comment",
    "assign_case",
    "change_severity",
    "comment_on",
    "complete_follow_up",
    "confirm_emergency",
    "create_release",
    "create_sprint",
    "fingerprint",
    "follow_case",
    "follow_from_mail",
    "give_details",
    "hand_over_open_cases",
    "handover_prompt",
    "link_release",
    "mark_case_seen",
    "mark_customer_activity",
    "open_case",
    "plan_case_into_sprint",
    "remind_follow_ups",
    "review_emergency",
    "scan_deadlines",
    "set_escalated",
    "sweep_orphan_files",
    "transition_case",
    "unfollow_case",
    "write_handover_note",
]
