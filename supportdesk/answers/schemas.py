"""API input and output for macros and tags."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field

from supportdesk.answers.models import Macro
from supportdesk.api_types import BodyIn, StrictBool, StrictId, column_length


class MacroIn(BodyIn):
    name: str = Field(min_length=1, max_length=column_length(Macro, "name"))
    #: The reply, with placeholders (GET /api/macros/placeholders lists them).
    body: str = ""
    public: StrictBool = True
    status: str = Field("", max_length=column_length(Macro, "status"))
    severity: int | None = Field(None, ge=1, le=9)
    severity_reason: str = Field("", max_length=column_length(Macro, "severity_reason"))
    assignee_id: StrictId | None = None
    tags: list[str] = Field(default_factory=list, max_length=20)
    personal: StrictBool = False
    region: str = Field("", max_length=column_length(Macro, "region"))
    team_id: StrictId | None = None


class MacroOut(Schema):
    id: int
    name: str
    body: str
    public: bool
    status: str
    severity: int | None
    severity_reason: str
    assignee_id: int | None
    tags: list[str]
    personal: bool
    region: str
    team_id: int | None
    usage_count: int
    updated_at: dt.datetime

    @staticmethod
    def resolve_personal(obj: Macro) -> bool:
        return obj.owner_id is not None


class PlaceholderOut(Schema):
    name: str
    meaning: str


class ApplyIn(BodyIn):
    case_id: StrictId


class BulkApplyIn(BodyIn):
    case_ids: list[StrictId] = Field(min_length=1, max_length=100)


class PreviewOut(Schema):
    reply: str
    public: bool
    actions: list[str]


class AppliedOut(Schema):
    case_id: int
    status: str
    severity: int
    assignee_id: int | None
    comment_id: int | None
    actions: list[str]


class BulkOutcomeOut(Schema):
    case_id: int
    applied: bool
    error: str


class TagsIn(BodyIn):
    names: list[str] = Field(min_length=1, max_length=20)
