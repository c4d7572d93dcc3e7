"""API input and output of the escalations app."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from supportdesk.api_types import BodyIn, Id, StrictId, column_length
from supportdesk.escalations.models import (
    Escalation,
    EscalationChannel,
    EscalationEvent,
    EscalationStatus,
    EscalationSubscription,
)


class EscalationRequestIn(BodyIn):
    #: The policy's form fields (``incident``, ``business_impact``, ...). Missing
    #: mandatory ones, keys the form lacks and answers not of their field's kind are
    #: refused (400, each in ``problems``) and nothing is stored (ESC-4).
    form: dict[str, Any]
    #: For staff logging a request on a client's behalf when no incident resolves.
    organisation_id: StrictId | None = None
    channel: EscalationChannel = EscalationChannel.API


class DecisionIn(BodyIn):
    note: str = ""


class DeclineIn(BodyIn):
    #: A decline-reason key of the escalation's policy.
    reason: str = Field(max_length=column_length(Escalation, "decision_reason"))
    note: str = ""


class HandOverIn(BodyIn):
    to_manager_id: StrictId | None = None
    region: str | None = Field(None, max_length=column_length(Escalation, "region"))
    note: str = ""


class AcknowledgeIn(BodyIn):
    status_note: str = Field(min_length=1)
    next_steps: str = Field(min_length=1)


class UpdateIn(BodyIn):
    body: str = Field(min_length=1)


class SubscriptionIn(BodyIn):
    user_id: StrictId | None = None
    email: str = Field("", max_length=column_length(EscalationSubscription, "email"))


class AwaitClientIn(BodyIn):
    troubleshooting_steps: str = Field(min_length=1)


class ClientResponseIn(BodyIn):
    message: str = Field(min_length=1)


class InformationRequestIn(BodyIn):
    #: What the escalation team needs to know to decide.
    question: str = Field(min_length=1)


class InformationIn(BodyIn):
    answer: str = Field(min_length=1)


class CloseIn(BodyIn):
    #: Exactly one of the policy's closure-reason keys (ESC-8).
    reason: str = Field(max_length=column_length(Escalation, "closure_reason"))
    note: str = ""


class ReasonOut(Schema):
    key: str
    label: str


class EscalationListFilter(Schema):
    status: EscalationStatus | None = None
    region: str | None = None
    case_id: Id | None = None
    organisation: Id | None = None
    manager_id: Id | None = None
    open_only: bool = False


class EscalationOut(Schema):
    id: int
    status: EscalationStatus
    case_id: int | None
    case_reference: str | None
    organisation_id: int | None = Field(alias="organization_id")
    requester_id: int
    channel: EscalationChannel
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
    #: ESC-5/ESC-7: the region whose team decides, and by when (null once decided and
    #: while the requester is asked for information).
    decision_region: str
    decide_by: dt.datetime | None
    #: The escalation team's open question to the requester (seed 001).
    information_question: str
    information_requested_at: dt.datetime | None
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

    @staticmethod
    def resolve_case_reference(esc: Escalation) -> str | None:
        return esc.case.reference if esc.case_id and esc.case else None

    @staticmethod
    def resolve_manager_name(esc: Escalation) -> str | None:
        manager = esc.manager if esc.manager_id else None
        return manager.display_name if manager else None

    @staticmethod
    def resolve_reminders(esc: Escalation) -> list[dt.datetime]:
        return [dt.datetime.fromisoformat(r) for r in esc.reminder_schedule]


class EscalationEventOut(Schema):
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
    return EscalationOut.from_orm(esc)


def event_out(event: EscalationEvent) -> EscalationEventOut:
    return EscalationEventOut.from_orm(event)
