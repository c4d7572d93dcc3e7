from __future__ import annotations

import datetime as dt

from ninja import Schema


class PersonOut(Schema):
    id: int
    username: str
    name: str


class OnCallOut(Schema):
    schedule_id: int
    at: dt.datetime
    person: PersonOut | None
    source: str
    coverage_gap: bool
    next_at: dt.datetime | None
    next_person: PersonOut | None


class PageOut(Schema):
    id: int
    schedule_id: int
    case_id: int | None
    summary: str
    severity: int
    callback_number: str
    status: str
    created_at: dt.datetime
    holder_id: int | None
    coverage_gap: bool
    acknowledged_at: dt.datetime | None
    acknowledged_by_id: int | None
    acknowledged_via: str


class AcknowledgeIn(Schema):
    via: str = "api"
