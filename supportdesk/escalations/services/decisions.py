"""The escalation team's decision (ESC-5): accept, assigning a manager (ESC-6,
ESC-7, ESC-9), or decline with a policy reason."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext

from supportdesk import clock
from supportdesk.accounts.models import User
from supportdesk.cases.models import Case
from supportdesk.cases.notices import Lines, Text
from supportdesk.cases.services import set_escalated
from supportdesk.domain.errors import DomainError
from supportdesk.domain.escalation import (
    choose_escalation_manager_region,
    validate_closure_reason,
)
from supportdesk.domain.notices import NoticeEvent
from supportdesk.escalations import selectors
from supportdesk.escalations.models import (
    PENDING_STATUSES,
    Escalation,
    EscalationEventKind,
    EscalationStatus,
)
from supportdesk.escalations.permissions import require_decider
from supportdesk.escalations.selectors import access_escalation
from supportdesk.escalations.services._events import (
    NOT_ASSIGNED,
    announce,
    business_impact,
    iso,
    manager_line,
    record,
    save,
)
from supportdesk.escalations.services._guards import EscalationConflict, require_status
from supportdesk.escalations.services._pinned import (
    calendars_of,
    client_region,
    policy_of,
    rules_of,
)
from supportdesk.escalations.services.deciding import stop_decision_clock


def finish_decline(
    esc: Escalation, *, actor: User | None, reason: str, note: str, now: dt.datetime
) -> None:
    policy = policy_of(esc)
    rules = rules_of(policy)
    label = next((r.label for r in rules.decline_reasons if r.key == reason), reason)
    # ESC-8: "declined" is itself a closure reason of the policy.
    closure = validate_closure_reason(policy=policy, reason="declined")
    esc.status = EscalationStatus.DECLINED
    esc.decided_at = now
    esc.decided_by = actor
    esc.decision_reason = reason
    esc.decision_note = note
    esc.closed_at = now
    esc.closed_by = actor
    esc.closure_reason = closure.key
    esc.closure_note = note
    stop_decision_clock(esc, now)
    save(
        esc,
        now,
        "status",
        "decided_at",
        "decided_by",
        "decision_reason",
        "decision_note",
        "closed_at",
        "closed_by",
        "closure_reason",
        "closure_note",
    )
    record(
        esc,
        EscalationEventKind.DECLINED,
        actor=actor,
        now=now,
        data={"reason": reason, "label": label, "note": note},
    )
    # ESC-5: the requester is told why.
    announce(
        esc,
        NoticeEvent.ESCALATION_DECLINED,
        key="declined",
        text=note or label,
        actor=actor,
        now=now,
        data={
            "reason": label,
            "title": Text(gettext_noop("Escalation declined: %(reason)s"), reason=label),
        },
    )


def decline_escalation(
    *,
    actor: User,
    escalation_id: int,
    reason: str,
    note: str = "",
    now: dt.datetime | None = None,
) -> Escalation:
    """Decline a pending escalation with a decline reason of its policy plus free text;
    the requester is told both (ESC-5)."""
    now = clock.resolve(now)
    with transaction.atomic():
        esc = access_escalation(actor, escalation_id, lock=True)
        require_decider(actor)
        require_status(esc, PENDING_STATUSES, pgettext("escalation step refused", "decline"))
        keys = [r.key for r in rules_of(policy_of(esc)).decline_reasons]
        if reason not in keys:
            raise DomainError(
                _("'%(reason)s' is not a decline reason of this policy (one of: %(choices)s)")
                % {"reason": reason, "choices": ", ".join(keys)},
                field="reason",
            )
        finish_decline(esc, actor=actor, reason=reason, note=note.strip(), now=now)
        return esc


def _assign(esc: Escalation, *, actor: User, now: dt.datetime) -> None:
    assignment = choose_escalation_manager_region(
        policy=policy_of(esc),
        calendars=calendars_of(esc),
        client_region=client_region(esc),
        now=now,
    )
    esc.region = assignment.region
    esc.manager = selectors.escalation_manager_for_region(assignment.region)
    esc.assigned_at = now
    esc.acknowledge_by = assignment.acknowledge_by
    esc.assignment_explanation = assignment.explanation
    save(esc, now, "region", "manager", "assigned_at", "acknowledge_by", "assignment_explanation")
    record(
        esc,
        EscalationEventKind.ASSIGNED,
        actor=actor,
        now=now,
        data={
            "region": esc.region,
            "manager": esc.manager.get_username() if esc.manager else None,
            "manager_name": esc.manager.display_name if esc.manager else None,
            "open_now": assignment.open_now,
            "starts_at": iso(assignment.starts_at),
            "acknowledge_by": iso(esc.acknowledge_by),
            "explanation": assignment.explanation,
        },
    )


def _tell_of_acceptance(esc: Escalation, case: Case, *, actor: User, now: dt.datetime) -> None:
    """ESC-5/ESC-6: the acceptance and its Escalation Manager, as the rules of
    ``escalation_accepted`` and ``escalation_handed_over`` say; seed 001 "inform the
    teams working on the original ticket" of its increased priority (PRI-2: accepted
    escalations rank with the critical work). Within the coalescing window the
    requester gets both in one mail."""
    manager = esc.manager.display_name if esc.manager else None
    # Composed for each recipient in their language (the people's own words as written).
    named = manager_line(manager, esc.region)
    announce(
        esc,
        NoticeEvent.ESCALATION_ACCEPTED,
        key="accepted",
        text=Lines(
            Text(
                gettext_noop(
                    "The escalation of %(reference)s (%(title)s) was accepted; the case "
                    "now ranks above standard work."
                ),
                reference=case.reference,
                title=case.title,
            ),
            esc.decision_note,
            business_impact(esc),
            named,
            collapse=True,
        ),
        actor=actor,
        now=now,
    )
    announce(
        esc,
        NoticeEvent.ESCALATION_HANDED_OVER,
        key="assigned",
        text=Lines(named, esc.assignment_explanation),
        actor=actor,
        now=now,
        data={"manager": manager or NOT_ASSIGNED},
    )


def accept_escalation(
    *,
    actor: User,
    escalation_id: int,
    note: str = "",
    now: dt.datetime | None = None,
) -> Escalation:
    """Accept a pending escalation (ESC-5): the case ranks first (PRI-2) and an
    Escalation Manager is assigned from the client's region if it is open, else from
    the region open now, else the one opening first (ESC-6, ESC-7, ESC-9); the
    acknowledgement is due the policy's target later in that region's business hours."""
    now = clock.resolve(now)
    with transaction.atomic():
        esc = access_escalation(actor, escalation_id, lock=True)
        require_decider(actor)
        require_status(esc, PENDING_STATUSES, pgettext("escalation step refused", "accept"))
        if esc.case_id is None:
            raise EscalationConflict(
                _("an escalation without an incident cannot be accepted"), field="case"
            )
        esc.status = EscalationStatus.ACCEPTED
        esc.decided_at = now
        esc.decided_by = actor
        esc.decision_note = note.strip()
        save(esc, now, "status", "decided_at", "decided_by", "decision_note")
        record(
            esc,
            EscalationEventKind.ACCEPTED,
            actor=actor,
            now=now,
            data={"note": esc.decision_note},
        )
        assert esc.case is not None
        stop_decision_clock(esc, now)
        set_escalated(case=esc.case, escalated=True, now=now)
        _assign(esc, actor=actor, now=now)
        _tell_of_acceptance(esc, esc.case, actor=actor, now=now)
        return esc
