"""ESC-3: the partner that built the extension is asked first; its answer (by mail, on
the portal's case page or through the API) is recorded on the escalation and moves the
request on to the escalation team's decision."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext

from supportdesk import clock
from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import require
from supportdesk.cases.notices import Lines, Text
from supportdesk.domain.errors import DomainError
from supportdesk.domain.escalation_decision import DecisionClock
from supportdesk.domain.notices import NoticeEvent
from supportdesk.escalations.models import (
    Escalation,
    EscalationEvent,
    EscalationEventKind,
    EscalationStatus,
)
from supportdesk.escalations.permissions import can_answer_for_partner
from supportdesk.escalations.selectors import access_escalation
from supportdesk.escalations.services._events import (
    announce,
    business_impact,
    iso,
    record,
    save,
)
from supportdesk.escalations.services._guards import require_status
from supportdesk.escalations.services.deciding import (
    decide_by,
    start_decision_clock,
    team_decides_by,
    tell_deciders,
)

#: The assessment's reason that sent the request to the partner (not a concern itself).
_PARTNER_FIRST = "partner_first"


def record_partner_answer(
    *,
    actor: User,
    escalation_id: int,
    answer: str,
    now: dt.datetime | None = None,
) -> Escalation:
    """The partner's answer to a request it was asked to check first (ESC-3): recorded
    on the escalation, which goes to the escalation team to decide, on the decision
    clock of the region open now (ESC-5, ESC-7): ``needs_decision`` when the assessment
    had other concerns (ESC-2), else ``requested``. The deciders and the requester
    are told. Members of the partner and staff only."""
    now = clock.resolve(now)
    answer = answer.strip()
    if not answer:
        raise DomainError(_("write what the partner found"), field="answer")
    with transaction.atomic():
        esc = access_escalation(actor, escalation_id, lock=True)
        _require_partner_answers(actor, esc)
        plan, event = _record_answer(esc, answer, actor=actor, now=now)
        _tell_of_answer(esc, plan, answer, key=f"partner:{event.pk}", actor=actor, now=now)
        return esc


def _require_partner_answers(actor: User, esc: Escalation) -> None:
    """Only the partner asked first (or staff) answers, and only while it is asked."""
    require(
        can_answer_for_partner(actor, esc),
        _("only the partner asked first answers for it"),
        field="escalation_id",
    )
    require_status(
        esc,
        (EscalationStatus.PARTNER_FIRST,),
        pgettext("escalation step refused", "answer for the partner"),
    )


def _record_answer(
    esc: Escalation, answer: str, *, actor: User, now: dt.datetime
) -> tuple[DecisionClock, EscalationEvent]:
    """The answer saved on ``esc``, its decision clock started, and the step logged."""
    concerns = [r for r in esc.assessment_reasons if r.get("key") != _PARTNER_FIRST]
    esc.status = EscalationStatus.NEEDS_DECISION if concerns else EscalationStatus.REQUESTED
    esc.partner_answer = answer
    esc.partner_answered_at = now
    save(esc, now, "status", "partner_answer", "partner_answered_at")
    plan = start_decision_clock(esc, now)
    event = record(
        esc,
        EscalationEventKind.PARTNER_ANSWERED,
        actor=actor,
        now=now,
        data={
            "answer": answer,
            "status": str(esc.status),
            "decision_region": plan.region,
            "decide_by": iso(plan.decide_by),
        },
    )
    return plan, event


def _tell_of_answer(
    esc: Escalation,
    plan: DecisionClock,
    answer: str,
    *,
    key: str,
    actor: User,
    now: dt.datetime,
) -> None:
    """The deciders (with the assessment and the clock) and the requester are told."""
    answered = Text(gettext_noop("The partner answered:"))
    tell_deciders(
        esc,
        region=plan.region,
        key=key,
        text=Lines(answered, answer, "", esc.assessment, business_impact(esc), plan.explanation),
        actor=actor,
        now=now,
        data={"by": decide_by(esc)},
    )
    announce(
        esc,
        NoticeEvent.ESCALATION_UPDATE,
        key=key,
        text=Lines(answered, answer, "", team_decides_by(esc)),
        actor=actor,
        now=now,
    )
