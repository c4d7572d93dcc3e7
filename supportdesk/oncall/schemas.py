from __future__ import annotations

import datetime as dt

from ninja import Schema

from supportdesk.accounts.models import User
from supportdesk.oncall.models import AckVia, PageStatus


class PersonOut(Schema):
    id: int
    username: str
    name: str

    @staticmethod
    def resolve_username(user: User) -> str:
        return user.get_username()

    @staticmethod
    def resolve_name(user: User) -> str:
        return user.get_full_name()


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
    status: PageStatus
    created_at: dt.datetime
    holder_id: int | None
    coverage_gap: bool
    acknowledged_at: dt.datetime | None
    acknowledged_by_id: int | None
    acknowledged_via: str


class PageFilter(Schema):
    status: PageStatus | None = None


class AcknowledgeIn(Schema):
    via: AckVia = AckVia.API
