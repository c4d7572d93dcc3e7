"""The API's shapes for a person's in-app notices and notification preferences."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field

from supportdesk.api_types import BodyIn


class NotificationOut(Schema):
    id: int
    event: str
    title: str
    body: str
    #: The page the notice leads to, for this recipient (portal or console).
    url: str
    case_id: int | None
    escalation_id: int | None
    created_at: dt.datetime
    read_at: dt.datetime | None


class NotificationFilter(Schema):
    #: Only the notices not yet read.
    unread: bool = False


class UnreadOut(Schema):
    unread: int


class MarkReadIn(BodyIn):
    #: The notices to mark read; ignored when ``all`` is true.
    ids: list[int] = Field(default_factory=list, max_length=1000)
    all: bool = False


class MarkedOut(Schema):
    marked: int


class PreferencesOut(Schema):
    time_zone: str
    #: Empty: the site's language.
    language: str
    #: {event group: channels}; a group absent keeps the policy's channels.
    channels: dict[str, list[str]]
    #: Every event group and whether its events always go by email.
    groups: dict[str, bool]


class PreferencesIn(BodyIn):
    time_zone: str = Field(max_length=64)
    language: str = Field(default="", max_length=16)
    channels: dict[str, list[str]] = Field(default_factory=dict)
