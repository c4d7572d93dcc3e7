"""Closing an escalation with one of the policy's closure reasons (ESC-8)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext_noop, pgettext

from supportdesk import clock
from supportdesk.accounts.models import User
from supportdesk.cases.notices import Text, Words
from supportdesk.cases.services import set_escalated
from supportdesk.domain.escalation import validate_closure_reason
from supportdesk.domain.notices import NoticeEvent
from supportdesk.escalations import selectors
from supportdesk.escalations.models import (
    LIVE_STATUSES,
    PENDING_STATUSES,
    Escalation,
    EscalationEventKind,
    EscalationStatus,
)
from supportdesk.escalations.permissions import require_decider, require_manager_of
from supportdesk.escalations.selectors import access_escalation
from supportdesk.escalations.services._events import announce, record, save
from supportdesk.escalations.services._guards import require_status
from supportdesk.escalations.services._pinned import policy_of
from supportdesk.escalations.services.decisions import finish_decline


def finish_closure(
    esc: Escalation,
    *,
    actor: User | None,
    reason: str,
    note: str,
    now: dt.datetime,
    told: Words | None = None,
) -> None:
    """Close ``esc`` (ESC-8) and tell of it: ``told``, else the ``note`` (kept on the
    escalation as written), else the reason's label."""
    closure = validate_closure_reason(policy=policy_of(esc), reason=reason)
    esc.status = EscalationStatus.CLOSED
    esc.closed_at = now
    esc.closed_by = actor
    esc.closure_reason = closure.key
    esc.closure_note = note
    esc.next_reminder_at = None
    esc.next_update_due_at = None
    save(
        esc,
        now,
        "status",
        "closed_at",
        "closed_by",
        "closure_reason",
        "closure_note",
        "next_reminder_at",
        "next_update_due_at",
    )
    record(
        esc,
        EscalationEventKind.CLOSED,
        actor=actor,
        now=now,
        data={"reason": closure.key, "label": closure.label, "note": note},
    )
    # PRI-2: the case keeps ranking first only while another escalation of it is live.
    # Closing the escalation never closes the incident itself.
    if esc.case is not None and not selectors.has_live_escalation(esc.case.pk, excluding=esc.pk):
        set_escalated(case=esc.case, escalated=False, now=now)
    announce(
        esc,
        NoticeEvent.ESCALATION_CLOSED,
        key="closed",
        text=told or note or closure.label,
        actor=actor,
        now=now,
        data={
            "reason": closure.label,
            "title": Text(gettext_noop("Escalation closed: %(reason)s"), reason=closure.label),
        },
    )


def close_escalation(
    *,
    actor: User,
    escalation_id: int,
    reason: str,
    note: str = "",
    now: dt.datetime | None = None,
) -> Escalation:
    """Close with exactly one of the policy's closure reasons (ESC-8). The incident
    stays as it is; the case stops ranking first unless another escalation is live."""
    now = clock.resolve(now)
    with transaction.atomic():
        esc = access_escalation(actor, escalation_id, lock=True)
        require_decider(actor)
        require_status(
            esc, (*PENDING_STATUSES, *LIVE_STATUSES), pgettext("escalation step refused", "close")
        )
        if esc.status in LIVE_STATUSES:
            require_manager_of(actor, esc)
        if esc.status in PENDING_STATUSES and reason == "declined":
            finish_decline(esc, actor=actor, reason="other", note=note, now=now)
            return esc
        finish_closure(esc, actor=actor, reason=reason, note=note.strip(), now=now)
        return esc
