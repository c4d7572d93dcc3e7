from __future__ import annotations

import datetime as dt

from ninja import Schema


class OrganisationOut(Schema):
    id: int
    name: str
    slug: str
    kind: str
    region: str
    partner_id: int | None
    account_manager_id: int | None
    policy_key: str | None


class MeOut(Schema):
    id: int
    username: str
    email: str
    role: str
    organisation_id: int | None
    team: str | None
    region: str
    time_zone: str


class TokenIn(Schema):
    name: str


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class IssuedTokenOut(TokenOut):
    token: str
