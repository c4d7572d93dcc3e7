"""Builders for database rows, used by the fixtures in each test package."""

from __future__ import annotations

import datetime as dt
import itertools

from supportdesk.accounts.models import Organization, OrganizationKind, Role, Team, TeamKind, User
from supportdesk.policies.models import Policy
from supportdesk.policies.services import load_policy_version
from tests.conftest import policy_text

_seq = itertools.count(1)


def load_shipped_policies() -> dict[str, Policy]:
    for name in ("partner-services", "follow-the-sun"):
        load_policy_version(text=policy_text(name))
    return {p.key: p for p in Policy.objects.all()}


def make_team(*, region: str, kind: str = TeamKind.SUPPORT) -> Team:
    n = next(_seq)
    return Team.objects.create(
        name=f"{region} {kind} {n}", key=f"{region}-{kind}-{n}", kind=kind, region=region
    )


def make_org(
    *,
    name: str | None = None,
    kind: str = OrganizationKind.CUSTOMER,
    region: str = "na",
    partner: Organization | None = None,
    policy: Policy | None = None,
) -> Organization:
    n = next(_seq)
    return Organization.objects.create(
        name=name or f"Org {n}",
        slug=f"org-{n}",
        kind=kind,
        region=region,
        partner=partner,
        policy=policy,
    )


def make_user(
    *,
    role: str,
    organization: Organization | None = None,
    team: Team | None = None,
    username: str | None = None,
) -> User:
    n = next(_seq)
    return User.objects.create_user(
        username=username or f"{role}-{n}",
        email=f"{role}-{n}@example.test",
        password="pw",
        role=role,
        organization=organization,
        team=team,
    )


__all__ = ["Role", "load_shipped_policies", "make_org", "make_team", "make_user"]


def answers_none(**changes: bool) -> dict[str, bool]:
    """partner-services triage answers with every question "no" (workaround: yes)."""
    base = {
        "cannot_book": False,
        "cannot_update_rates": False,
        "cannot_send_confirmations": False,
        "platform_down": False,
        "workaround": True,
        "significant_impact": False,
        "cosmetic": False,
    }
    return {**base, **changes}


def int4_details(**changes: object) -> dict[str, object]:
    """A complete INT-4 details block for a Sev2/Sev3 partner-services report."""
    base: dict[str, object] = {
        "occurred_at": ["2026-03-10T13:30:00+00:00"],
        "area": "Booking engine",
        "activity": "booking",
        "scope": "one_function",
        "details": "Two users saw it.",
    }
    return {**base, **changes}


#: Later than any instant a test's clock names: every fan-out job is due by then.
_EVERY_JOB_DUE = dt.datetime(2999, 1, 1, tzinfo=dt.UTC)


def tell_everyone() -> int:
    """Run the worker's expansion of every pending fan-out job (the notices of new
    cases and comments, told after their change); returns how many were told."""
    from supportdesk.notifications.services import expand_due

    told = 0
    while made := expand_due(batch=500, now=_EVERY_JOB_DUE):
        told += made
    return told
