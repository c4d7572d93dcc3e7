"""API input and output of the escalations app."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from supportdesk.escalations.models import Escalation, EscalationEvent


class EscalationRequestIn(Schema):
    #: The policy's form fields (``incident``, ``business_impact``, ...); missing
    #: mandatory ones decline the request with the reason (ESC-4).
    form: dict[str, Any]
    #: For staff logging a request on a client's behalf when no incident resolves.
    organisation_id: int | None = None
    channel: str = "api"


class DecisionIn(Schema):
    note: str = ""


class DeclineIn(Schema):
    #: A decline-reason key of the escalation's policy.
    reason: str
    note: str = ""


class HandOverIn(Schema):
    to_manager_id: int | None = None
    region: str | None = None
    note: str = ""


class AcknowledgeIn(Schema):
    status_note: str = Field(min_length=1)
    next_steps: str = Field(min_length=1)


class UpdateIn(Schema):
    body: str = Field(min_length=1)


class SubscriptionIn(Schema):
    user_id: int | None = None
    email: str = ""


class AwaitClientIn(Schema):
    troubleshooting_steps: str = Field(min_length=1)


class ClientResponseIn(Schema):
    message: str = Field(min_length=1)


class CloseIn(Schema):
    #: Exactly one of the policy's closure-reason keys (ESC-8).
    reason: str
    note: str = ""


class ReasonOut(Schema):
    key: str
    label: str


class EscalationOut(Schema):
    id: int
    status: str
    case_id: int | None
    case_reference: str | None
    organisation_id: int | None
    requester_id: int
    channel: str
    incident_reference: str
    business_impact: str
    verdict: str
    assessment: str
    assessment_reasons: list[ReasonOut]
    missing_fields: list[str]
    partner_id: int | None
    requested_at: dt.datetime
    decided_at: dt.datetime | None
    decision_reason: str
    decision_note: str
    #: ESC-7: the acknowledging region, its manager, and by when.
    region: str
    manager_id: int | None
    manager_name: str | None
    assignment_explanation: str
    acknowledge_by: dt.datetime | None
    acknowledged_at: dt.datetime | None
    next_update_due_at: dt.datetime | None
    reminders: list[dt.datetime]
    reminders_sent: int
    next_reminder_at: dt.datetime | None
    closed_at: dt.datetime | None
    closure_reason: str
    closure_note: str


class EventOut(Schema):
    id: int
    at: dt.datetime
    kind: str
    actor_id: int | None
    data: dict[str, Any]


class SubscriptionOut(Schema):
    id: int
    user_id: int | None
    email: str
    created_at: dt.datetime


class RegionStatsOut(Schema):
    region: str
    requested: int
    outcomes: dict[str, int]
    acknowledged: int
    mean_seconds_to_acknowledge: float | None
    median_seconds_to_acknowledge: float | None
    mean_business_seconds_to_acknowledge: float | None
    median_business_seconds_to_acknowledge: float | None
    closed: int
    mean_seconds_to_close: float | None
    median_seconds_to_close: float | None
    mean_business_seconds_to_close: float | None
    median_business_seconds_to_close: float | None


def escalation_out(esc: Escalation) -> EscalationOut:
    """The API's (and the command line's) view of one escalation."""
    manager = esc.manager if esc.manager_id else None
    return EscalationOut(
        id=esc.pk,
        status=esc.status,
        case_id=esc.case_id,
        case_reference=esc.case.reference if esc.case_id and esc.case else None,
        organisation_id=esc.organization_id,
        requester_id=esc.requester_id,
        channel=esc.channel,
        incident_reference=esc.incident_reference,
        business_impact=esc.business_impact,
        verdict=esc.verdict,
        assessment=esc.assessment,
        assessment_reasons=[ReasonOut(**r) for r in esc.assessment_reasons],
        missing_fields=list(esc.missing_fields),
        partner_id=esc.partner_id,
        requested_at=esc.requested_at,
        decided_at=esc.decided_at,
        decision_reason=esc.decision_reason,
        decision_note=esc.decision_note,
        region=esc.region,
        manager_id=esc.manager_id,
        manager_name=(manager.get_full_name() or manager.get_username()) if manager else None,
        assignment_explanation=esc.assignment_explanation,
        acknowledge_by=esc.acknowledge_by,
        acknowledged_at=esc.acknowledged_at,
        next_update_due_at=esc.next_update_due_at,
        reminders=[dt.datetime.fromisoformat(r) for r in esc.reminder_schedule],
        reminders_sent=esc.reminders_sent,
        next_reminder_at=esc.next_reminder_at,
        closed_at=esc.closed_at,
        closure_reason=esc.closure_reason,
        closure_note=esc.closure_note,
    )


def event_out(event: EscalationEvent) -> EventOut:
    return EventOut(
        id=event.pk, at=event.at, kind=event.kind, actor_id=event.actor_id, data=event.data
    )
