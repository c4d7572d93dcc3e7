"""API input and output for cases."""

from __future__ import annotations

import datetime as dt
from operator import attrgetter
from typing import Annotated, Any

from annotated_types import Ge, Le
from ninja import Schema
from pydantic import (
    AliasPath,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    ValidationInfo,
    computed_field,
    field_validator,
)

from supportdesk.accounts.models import Team, User
from supportdesk.api_types import BodyIn, Id, StrictBool, StrictId, column_length
from supportdesk.cases.models import (
    NO_DUE,
    Attachment,
    Case,
    Channel,
    ClockState,
    Environment,
    FollowUpStatus,
    IdempotencyKey,
    Release,
    Sprint,
)
from supportdesk.cases.search.selectors import with_tag_terms
from supportdesk.cases.selectors import QueueFilter
from supportdesk.domain.lifecycle import CaseStatus
from supportdesk.domain.tags import MAX_TAGS, split_tag_list
from supportdesk.domain.triage.emergency import EmergencyDecision

#: A severity in a JSON body (Sev1 the most urgent) ...
Severity = Annotated[int, Strict(), Ge(1), Le(4)]
#: ... and in a query parameter.
SeverityParam = Annotated[int, Ge(1), Le(4)]

#: The ``Idempotency-Key`` header's longest value (its column's length).
IDEMPOTENCY_KEY_LENGTH = column_length(IdempotencyKey, "key")


# The case schemas are plain pydantic models, not ninja ``Schema``s: those read every
# field through a Django-aware getter (for ORM objects), which cost 0.2 ms per case
# validated; pydantic's own ``from_attributes`` reads the case's attributes directly.
class CaseIn(BodyIn):
    organisation_id: StrictId
    channel: Channel = Channel.API
    environment: Environment = Environment.PRODUCTION
    request_type: str = Field(max_length=column_length(Case, "request_type"))
    category: str = Field("other", max_length=column_length(Case, "category"))
    title: str = Field(min_length=1, max_length=column_length(Case, "title"))
    description: str = ""
    #: SEV-2: the triage questionnaire's answers (question key → yes/no).
    answers: dict[str, StrictBool] = {}
    #: INT-3 / INT-4: the not-local confirmations and the Sev2/Sev3 details.
    details: dict[str, Any] = {}
    override_severity: Severity | None = None
    override_reason: str = ""
    callback_number: str = Field("", max_length=column_length(Case, "callback_number"))
    requester_id: StrictId | None = None


class CaseFilter(Schema):
    status: CaseStatus | None = None
    severity: SeverityParam | None = None
    organisation: Id | None = None
    escalated: bool | None = None
    q: str | None = None
    open_only: bool = False
    #: HRS-3: the working region, and the cases handed to the caller's region.
    region: str | None = Field(None, max_length=column_length(Case, "region"))
    handed_to_me: bool = False
    #: Only cases carrying every tag named (repeat ``tag``, or separate with commas);
    #: staff only. In ``q``, ``tag:name`` does the same and ``-tag:name`` leaves it out.
    tag: list[str] = Field(default_factory=list, max_length=MAX_TAGS)

    def queue_filter(self, viewer: User) -> QueueFilter:
        """The queue filter these parameters mean for ``viewer`` (a bad tag: a
        ``DomainError`` naming ``tag``)."""
        fields = self.model_dump(exclude={"tag"})
        found = QueueFilter(**fields, tags=tuple(split_tag_list(self.tag, field="tag")))
        return with_tag_terms(viewer, found)


class ClockWarningOut(BaseModel):
    """RSP-6: when the clock reaches ``fraction`` of its target (stored as ISO text; an
    instant here, written as every other instant of the API)."""

    fraction: float
    at: dt.datetime | None
    reached: bool


class ClockOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: str
    state: ClockState
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
    warnings: list[ClockWarningOut]
    #: RSP-6: the instant the figures are computed for (the request's, for an open case).
    as_of: dt.datetime | None = Field(None, validation_alias="computed_at")


class CaseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    reference: str
    organisation_id: int = Field(validation_alias="organization_id")
    organisation: str = Field(validation_alias=AliasPath("organization", "name"))
    requester_id: int
    channel: Channel
    environment: Environment
    request_type: str
    category: str
    title: str
    severity: int
    severity_reason: str
    #: INT-2: opened from an after-hours report's words; an agent has yet to confirm.
    severity_unconfirmed: bool
    status: CaseStatus
    region: str
    escalated: bool
    assignee_id: int | None
    team: str | None
    received_at: dt.datetime
    first_response_at: dt.datetime | None
    nearest_due_at: dt.datetime | None = Field(validation_alias="queue_due_at")
    work_order: bool
    daily_review: bool
    sprint_id: int | None
    release_id: int | None
    clocks: list[ClockOut]

    @field_validator("team", mode="before")
    @classmethod
    def _team_key(cls, value: Team | str | None) -> str | None:
        return value.key if isinstance(value, Team) else value

    @field_validator("nearest_due_at", mode="before")
    @classmethod
    def _nearest_due(cls, value: dt.datetime | None) -> dt.datetime | None:
        return None if value is not None and value >= NO_DUE else value

    @field_validator("clocks", mode="before")
    @classmethod
    def _clocks_by_kind(cls, value: Any, info: ValidationInfo) -> Any:
        # The clocks ``_of`` passes along (as of now, or of a case opened in this
        # request), else the case's related manager: its stored clocks, in kind order.
        shown = info.context.get("clocks") if info.context else None
        if shown is not None:
            return sorted(shown, key=attrgetter("kind"))
        return sorted(value.all(), key=attrgetter("kind")) if hasattr(value, "all") else value

    @computed_field  # type: ignore[prop-decorator]
    @property
    def promised_response_by(self) -> dt.datetime | None:
        """PRI-3: the promised first response (null when met or no target)."""
        first = next((c for c in self.clocks if c.kind == "first_response"), None)
        return first.due_at if first is not None and first.met_at is None else None


class CaseDetailOut(CaseOut):
    description: str
    severity_basis: str
    triage: dict[str, Any]
    #: INT-3 / INT-4: the details its severity needs that its report did not give (a
    #: case by email), to give with ``POST /api/cases/{id}/details``.
    missing_intake: list[str]
    policy_version: str
    route_action: str
    route_region: str
    route_explanation: str
    callback_number: str
    resolution_agreement: str
    time_to_downgrade_seconds: int | None

    @field_validator("policy_version", mode="before")
    @classmethod
    def _version(cls, value: Any) -> Any:
        return str(value.version) if hasattr(value, "version") else value


def clock_context(case: Case) -> dict[str, Any] | None:
    # RSP-6: the clocks as of this request (``clocks.show_clocks``), else those the
    # request that opened the case has in hand, else the stored ones.
    shown = case.shown_clocks if case.shown_clocks is not None else case.opened_clocks
    return {"clocks": shown} if shown is not None else None


def case_out(case: Case) -> CaseOut:
    """The API's (and the command line's) view of a case in a listing."""
    return CaseOut.model_validate(case, context=clock_context(case))


def case_detail_out(case: Case) -> CaseDetailOut:
    """The API's (and the command line's) view of one case."""
    return CaseDetailOut.model_validate(case, context=clock_context(case))


class CommentIn(BodyIn):
    body: str
    public: StrictBool = True
    channel: Channel = Channel.API


class CommentOut(Schema):
    id: int
    author_id: int
    body: str
    public: bool
    channel: Channel
    created_at: dt.datetime


class SeverityIn(BodyIn):
    severity: Severity
    reason: str


class EmergencyReviewIn(BodyIn):
    """INT-2: confirm an unconfirmed emergency, or downgrade it to ``severity``."""

    decision: EmergencyDecision
    reason: str = Field(min_length=1, max_length=500)
    severity: Severity | None = None


class DetailsIn(BodyIn):
    """INT-3 / INT-4: details the case lacks (``missing_intake``), by field key."""

    details: dict[str, Any]


class TransitionIn(BodyIn):
    to: CaseStatus
    note: str = ""
    #: RSP-5: how the customer agreed, when an agent resolves.
    agreement: str = ""


class AssignIn(BodyIn):
    assignee_id: StrictId | None


class CaseEventOut(Schema):
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
    #: Where the API downloads it (the stored file itself is not served).
    url: str

    @staticmethod
    def resolve_url(obj: Attachment) -> str:
        return f"/api/cases/{obj.case_id}/attachments/{obj.pk}/content"


class FollowUpOut(Schema):
    id: int
    case_id: int
    kind: str
    description: str
    assignee_id: int | None
    status: FollowUpStatus
    created_at: dt.datetime
    #: INT-5: owed by then (the region's business hours); its owner is reminded after.
    due_at: dt.datetime | None
    done_at: dt.datetime | None
    note: str


class FollowerOut(Schema):
    case_id: int
    user_id: int
    created_at: dt.datetime


class FollowUpDoneIn(BodyIn):
    note: str = ""


class SprintIn(BodyIn):
    name: str = Field(min_length=1, max_length=column_length(Sprint, "name"))
    starts_on: dt.date
    ends_on: dt.date
    #: PRI-1: the development team whose sprint it is (null: the shared plan).
    team_id: StrictId | None = None


class SprintOut(Schema):
    id: int
    name: str
    team_id: int | None
    starts_on: dt.date
    ends_on: dt.date


class ReleaseIn(BodyIn):
    version: str = Field(min_length=1, max_length=column_length(Release, "version"))
    planned_for: dt.date | None = None
    notes: str = ""


class ReleaseOut(Schema):
    id: int
    version: str
    planned_for: dt.date | None
    notes: str


class LinkReleaseIn(BodyIn):
    release_id: StrictId


class PlanSprintIn(BodyIn):
    sprint_id: StrictId
