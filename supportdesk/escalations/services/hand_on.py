"""The "to decide" duty follows the sun (ESC-7, HRS-3): a request still waiting for a
decision when its deciding region's hours end moves to the escalation managers of the
next region to open, with a new deadline in that region's business hours (the business
time that was left), a step on its log and the case timeline, and a notice to them.
The decision is the domain's (``domain.escalation_decision.hand_on_decision``)."""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_noop

from supportdesk import clock
from supportdesk.cases.notices import Lines, Text
from supportdesk.domain.escalation_decision import DecisionClock, hand_on_decision
from supportdesk.escalations.models import DECIDING_STATUSES, Escalation, EscalationEventKind
from supportdesk.escalations.services._events import business_impact, iso, record
from supportdesk.escalations.services._pinned import calendars_of, policy_of
from supportdesk.escalations.services.deciding import apply_clock, deadline_text, tell_deciders
from supportdesk.transactions import retry_on_conflict


def hand_on_decisions(*, now: dt.datetime | None = None) -> list[int]:
    """Move every running decision clock whose deciding region has closed to the region
    :func:`hand_on_decision` names; returns the ids of the escalations moved.

    Idempotent (a moved clock is in an open region, or in the one that opens first, so
    the rule keeps it there) and safe to run concurrently: a request being written right
    now is skipped and handed on by the next run. A paused clock (a question to the
    requester) has no deadline and stays until the answer restarts it where it is open."""
    now = clock.resolve(now)
    pending = (
        _pending().select_related("policy_version").defer("policy_version__source").order_by("pk")
    )
    return [esc.pk for esc in pending if _plan(esc, now) is not None and _hand_on(esc.pk, now)]


def _pending() -> QuerySet[Escalation]:
    """Requests waiting for a decision with their clock running."""
    return Escalation.objects.filter(
        status__in=DECIDING_STATUSES,
        decide_by__isnull=False,
        information_requested_at__isnull=True,
    )


def _plan(esc: Escalation, now: dt.datetime) -> DecisionClock | None:
    assert esc.decide_by is not None  # _pending
    return hand_on_decision(
        policy=policy_of(esc),
        calendars=calendars_of(esc),
        region=esc.decision_region,
        decide_by=esc.decide_by,
        remind_at=esc.decision_reminder_at,
        now=now,
    )


@retry_on_conflict
def _hand_on(esc_id: int, now: dt.datetime) -> bool:
    with transaction.atomic():
        rows = _pending().select_related(
            "case", "organization", "requester", "manager", "policy_version"
        )
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True, of=("self",))
        else:
            rows = rows.select_for_update()
        esc = rows.filter(pk=esc_id).first()
        if esc is None:
            return False
        plan = _plan(esc, now)
        if plan is None or plan.region == esc.decision_region:
            return False
        before, due_before = esc.decision_region, esc.decide_by
        apply_clock(esc, plan, now)
        event = record(
            esc,
            EscalationEventKind.DECISION_HANDED_ON,
            actor=None,
            now=now,
            data={
                "from": before,
                "to": plan.region,
                "decide_by_before": iso(due_before),
                "decide_by": iso(plan.decide_by),
                "reason": plan.explanation,
            },
            public=False,
        )
        tell_deciders(
            esc,
            region=plan.region,
            key=f"hand_on:{event.pk}",
            text=Lines(
                Text(
                    gettext_noop("Handed to you to decide by %(deadline)s."),
                    deadline=deadline_text(esc),
                ),
                "",
                plan.explanation,
                "",
                esc.assessment,
                business_impact(esc),
            ),
            actor=None,
            now=now,
        )
        return True
