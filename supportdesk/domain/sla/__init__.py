"""SLA clocks derived from a case's event history (RSP-1, RSP-2, RSP-6, SEV-4).

Nothing is counted incrementally: every figure is recomputed from the events and the
pinned policy, so replaying the same history at the same ``now`` always gives the same
clocks, and a sweep that runs twice cannot double-count.

The rules, for one target kind of one case (``docs/sla.md``, "SLA clocks"):

* **Anchor.** ``first_response`` and ``resolution`` count from receipt; ``next_update``
  counts from the latest agent response (:class:`FirstResponse` or :class:`Updated`)
  or reopening, one cycle per response.
* **Active time.** The clock accrues the business time of its calendar (the target's
  ``clock``) in *active* wall-clock spans only: from the anchor, minus the spans spent
  waiting on the customer (:class:`Paused` to :class:`Resumed`), and, for
  ``resolution``, minus the spans between a resolution and its reopening.
* **Due** (RSP-6): the earliest instant at which the active business time reaches the
  target. Hence a pause moves the due later by exactly the business time it covered,
  and a pause outside business hours moves nothing.
* **Re-targeting** (SEV-4): after a severity change at ``t`` the new severity's target
  applies *as if it had held since the anchor*, but its due is never earlier than the
  first active instant at or after ``t``: ``due = max(first_active(t), anchor ⊕ new)``.
  A downgrade never breaches at once; an upgrade to Sev1 received 20 hours ago is due
  at the change instant (answer as you upgrade). A breach that happened under an
  earlier severity stays recorded (no downgrading a breach away), and a target met
  before the change stays met.
* **Met**: ``first_response`` by the first :class:`FirstResponse`, or by a
  :class:`Resolved`/:class:`Closed` that comes first (the customer was answered with
  the resolution); ``resolution`` by a :class:`Resolved`/:class:`Closed` not followed
  by :class:`Reopened`; a ``next_update`` cycle by the next response or resolution.
* **Breached** when the due passes (strictly) before the target is met, while the
  severity that set that due is still in force. ``breached_at`` is that due.
* A severity without a target of this kind (Sev4, RSP-3) leaves the clock
  ``not_applicable``, unless it was already met or breached.
"""

from supportdesk.domain.sla.clocks import (
    ClockState,
    SlaClock,
    SlaWarning,
    nearest_due,
    next_deadline,
    sla_clocks,
)
from supportdesk.domain.sla.history import (
    CaseEvent,
    Closed,
    FirstResponse,
    Paused,
    Received,
    Reopened,
    Resolved,
    Resumed,
    SeverityChanged,
    SlaError,
    SlaHistoryError,
    Updated,
    time_to_downgrade,
)

__all__ = [
    "CaseEvent",
    "ClockState",
    "Closed",
    "FirstResponse",
    "Paused",
    "Received",
    "Reopened",
    "Resolved",
    "Resumed",
    "SeverityChanged",
    "SlaClock",
    "SlaError",
    "SlaHistoryError",
    "SlaWarning",
    "Updated",
    "nearest_due",
    "next_deadline",
    "sla_clocks",
    "time_to_downgrade",
]
