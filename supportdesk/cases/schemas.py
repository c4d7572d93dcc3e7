"""API input and output for cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import BaseModel, Field

from supportdesk.cases.models import Case, SlaClock


# The case schemas are plain pydantic models, not ninja ``Schema``s: those read every
# field through a Django-aware getter (for ORM objects), which cost 0.2 ms per case
# validated; these are only ever given mappings (``case_row``, ``case_detail_row``).
class CaseIn(BaseModel):
    organisation_id: int
    channel: str = "api"
    environment: str = "production"
    request_type: str
    category: str = "other"
    title: str = Field(min_length=1, max_length=200)
    description: str = ""
    #: SEV-2: the triage questionnaire's answers (question key → yes/no).
    answers: dict[str, bool] = {}
    #: INT-3 / INT-4: the not-local confirmations and the Sev2/Sev3 details.
    details: dict[str, Any] = {}
    override_severity: int | None = None
    override_reason: str = ""
    callback_number: str = ""
    requester_id: int | None = None


class ClockOut(BaseModel):
    kind: str
    state: str
    severity: int
    target_seconds: int | None
    calendar: str
    started_at: dt.datetime | None
    due_at: dt.datetime | None
    met_at: dt.datetime | None
    breached_at: dt.datetime | None
    elapsed_seconds: int | None
    remaining_seconds: int | None
    paused_seconds: int
    warnings: list[dict[str, Any]]


class CaseOut(BaseModel):
    id: int
    reference: str
    organisation_id: int
    organisation: str
    requester_id: int
    channel: str
    environment: str
    request_type: str
    category: str
    title: str
    severity: int
    severity_reason: str
    status: str
    region: str
    escalated: bool
    assignee_id: int | None
    team: str | None
    received_at: dt.datetime
    first_response_at: dt.datetime | None
    #: PRI-3: the promised first response (null when met or no target).
    promised_response_by: dt.datetime | None
    nearest_due_at: dt.datetime | None
    work_order: bool
    daily_review: bool
    sprint_id: int | None
    release_id: int | None
    clocks: list[ClockOut]


class CaseDetailOut(CaseOut):
    description: str
    severity_basis: str
    triage: dict[str, Any]
    policy_version: str
    route_action: str
    route_region: str
    route_explanation: str
    callback_number: str
    resolution_agreement: str
    time_to_downgrade_seconds: int | None


def _clock_row(c: SlaClock) -> dict[str, Any]:
    return {
        "kind": c.kind,
        "state": c.state,
        "severity": c.severity,
        "target_seconds": c.target_seconds,
        "calendar": c.calendar,
        "started_at": c.started_at,
        "due_at": c.due_at,
        "met_at": c.met_at,
        "breached_at": c.breached_at,
        "elapsed_seconds": c.elapsed_seconds,
        "remaining_seconds": c.remaining_seconds,
        "paused_seconds": c.paused_seconds,
        "warnings": c.warnings,
    }


def _common(case: Case) -> dict[str, Any]:
    from supportdesk.cases.models import NO_DUE

    clocks = sorted(case.clocks.all(), key=lambda c: c.kind)
    first = next((c for c in clocks if c.kind == "first_response"), None)
    promised = first.due_at if first is not None and first.met_at is None else None
    return {
        "id": case.pk,
        "reference": case.reference or "",
        "organisation_id": case.organization_id,
        "organisation": case.organization.name,
        "requester_id": case.requester_id,
        "channel": case.channel,
        "environment": case.environment,
        "request_type": case.request_type,
        "category": case.category,
        "title": case.title,
        "severity": case.severity,
        "severity_reason": case.severity_reason,
        "status": case.status,
        "region": case.region,
        "escalated": case.escalated,
        "assignee_id": case.assignee_id,
        "team": case.team.key if case.team_id and case.team else None,
        "received_at": case.received_at,
        "first_response_at": case.first_response_at,
        "promised_response_by": promised,
        "nearest_due_at": None if case.queue_due_at >= NO_DUE else case.queue_due_at,
        "work_order": case.work_order,
        "daily_review": case.daily_review,
        "sprint_id": case.sprint_id,
        "release_id": case.release_id,
        "clocks": [_clock_row(c) for c in clocks],
    }


def case_out(case: Case) -> CaseOut:
    return CaseOut(**_common(case))


def case_row(case: Case) -> dict[str, Any]:
    """:func:`case_out` as a plain mapping, for a ``Page[CaseOut]`` response: the router
    validates it once on the way out instead of twice."""
    return _common(case)


def case_detail_row(case: Case) -> dict[str, Any]:
    """:func:`case_detail_out` as a plain mapping, for a ``CaseDetailOut`` response: the
    router validates it once on the way out instead of twice."""
    return {
        **_common(case),
        "description": case.description,
        "severity_basis": case.severity_basis,
        "triage": case.triage,
        "policy_version": str(case.policy_version.version),
        "route_action": case.route_action,
        "route_region": case.route_region,
        "route_explanation": case.route_explanation,
        "callback_number": case.callback_number,
        "resolution_agreement": case.resolution_agreement,
        "time_to_downgrade_seconds": case.time_to_downgrade_seconds,
    }


def case_detail_out(case: Case) -> CaseDetailOut:
    return CaseDetailOut(**case_detail_row(case))


class CommentIn(Schema):
    body: str
    public: bool = True
    channel: str = "api"


class CommentOut(Schema):
    id: int
    author_id: int
    body: str
    public: bool
    channel: str
    created_at: dt.datetime


class SeverityIn(Schema):
    severity: int
    reason: str


class TransitionIn(Schema):
    to: str
    note: str = ""
    #: RSP-5: how the customer agreed, when an agent resolves.
    agreement: str = ""


class AssignIn(Schema):
    assignee_id: int | None


class EventOut(Schema):
    id: int
    at: dt.datetime
    actor_id: int | None
    kind: str
    public: bool
    data: dict[str, Any]


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    public: bool
    created_at: dt.datetime
    url: str


class FollowUpOut(Schema):
    id: int
    case_id: int
    kind: str
    description: str
    assignee_id: int | None
    status: str
    created_at: dt.datetime
    done_at: dt.datetime | None
    note: str


class FollowUpDoneIn(Schema):
    note: str = ""


class SprintIn(Schema):
    name: str
    starts_on: dt.date
    ends_on: dt.date


class SprintOut(Schema):
    id: int
    name: str
    starts_on: dt.date
    ends_on: dt.date


class ReleaseIn(Schema):
    version: str
    planned_for: dt.date | None = None
    notes: str = ""


class ReleaseOut(Schema):
    id: int
    version: str
    planned_for: dt.date | None
    notes: str


class LinkReleaseIn(Schema):
    release_id: int


class PlanSprintIn(Schema):
    sprint_id: int
