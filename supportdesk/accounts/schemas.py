from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from supportdesk.accounts.models import Organization, User


class OrganisationOut(Schema):
    id: int
    name: str
    slug: str
    kind: str
    region: str
    partner_id: int | None
    account_manager_id: int | None
    policy_key: str | None

    @staticmethod
    def resolve_policy_key(org: Organization) -> str | None:
        return org.policy.key if org.policy_id and org.policy else None


class MeOut(Schema):
    id: int
    username: str
    email: str
    role: str
    organisation_id: int | None = Field(alias="organization_id")
    team: str | None
    region: str
    time_zone: str

    @staticmethod
    def resolve_username(user: User) -> str:
        return user.get_username()

    @staticmethod
    def resolve_team(user: User) -> str | None:
        return user.team.name if user.team else None


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
