"""API input and output for satisfaction ratings."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field

from supportdesk.api_types import BodyIn
from supportdesk.domain.satisfaction import Rating
from supportdesk.satisfaction.selectors import Grouping


class RatingIn(BodyIn):
    rating: Rating
    comment: str = Field("", max_length=2000)


class SurveyOut(Schema):
    id: int
    case_id: int
    case_reference: str | None = Field(None, alias="case.reference")
    region: str
    agent_id: int | None
    sent_at: dt.datetime
    open_until: dt.datetime
    #: "good", "bad", or "" while not rated.
    rating: str
    comment: str
    rated_at: dt.datetime | None


class SurveyFilter(Schema):
    rated_only: bool = False
    region: str | None = Field(None, max_length=32)


class ReportFilter(Schema):
    start: dt.datetime
    end: dt.datetime
    by: Grouping = "week"
    region: str | None = Field(None, max_length=32)


class CsatRowOut(Schema):
    key: str
    good: int
    bad: int
    total: int
    #: Percent rated good (null with no rating).
    score: float | None
