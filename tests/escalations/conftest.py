"""Fixtures for escalations: both shipped policies, the two regions' escalation teams
with their managers, an EMEA client on the follow-the-sun policy, and its incidents."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest

from supportdesk.accounts.models import Organization, OrganizationKind, Role, TeamKind, User
from supportdesk.cases.models import Case
from supportdesk.policies.models import Policy, PolicyVersion
from tests.factories import load_shipped_policies, make_org, make_team, make_user

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def stockholm(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    """An instant given as Stockholm wall time, returned in UTC."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM).astimezone(dt.UTC)


#: A plain Wednesday in both regions (no holiday; US already on DST, the EU not yet).
WEDNESDAY = (2026, 3, 11)


@pytest.fixture
def policies(db: None) -> dict[str, Policy]:
    return load_shipped_policies()


@pytest.fixture
def emea_manager(policies: dict[str, Policy]) -> User:
    team = make_team(region="emea", kind=TeamKind.ESCALATION)
    user = make_user(role=Role.ESCALATION_MANAGER, team=team, username="elin")
    team.escalation_manager = user
    team.save()
    return user


@pytest.fixture
def na_manager(policies: dict[str, Policy]) -> User:
    team = make_team(region="na", kind=TeamKind.ESCALATION)
    user = make_user(role=Role.ESCALATION_MANAGER, team=team, username="marcus")
    team.escalation_manager = user
    team.save()
    return user


@pytest.fixture
def managers(emea_manager: User, na_manager: User) -> dict[str, User]:
    return {"emea": emea_manager, "na": na_manager}


@pytest.fixture
def partner_org(policies: dict[str, Policy]) -> Organization:
    return make_org(
        name="Bright Partners",
        kind=OrganizationKind.PARTNER,
        region="emea",
        policy=policies["follow-the-sun"],
    )


@pytest.fixture
def emea_client(policies: dict[str, Policy], partner_org: Organization) -> Organization:
    return make_org(
        name="Nordic Retail", region="emea", policy=policies["follow-the-sun"], partner=partner_org
    )


@pytest.fixture
def other_client(policies: dict[str, Policy]) -> Organization:
    return make_org(name="Stranger Inc", region="na", policy=policies["follow-the-sun"])


@pytest.fixture
def customer(emea_client: Organization) -> User:
    return make_user(role=Role.CUSTOMER, organization=emea_client)


@pytest.fixture
def stranger(other_client: Organization) -> User:
    return make_user(role=Role.CUSTOMER, organization=other_client)


@pytest.fixture
def agent(policies: dict[str, Policy]) -> User:
    return make_user(role=Role.AGENT, team=make_team(region="emea"))


MakeIncident = Callable[..., Case]


@pytest.fixture
def make_incident(policies: dict[str, Policy]) -> MakeIncident:
    def build(
        organisation: Organization,
        requester: User,
        *,
        environment: str = "production",
        severity: int = 2,
        received_at: dt.datetime | None = None,
        triage: dict[str, object] | None = None,
    ) -> Case:
        at = received_at or stockholm(2026, 3, 2, 9)
        version = PolicyVersion.objects.get(pk=organisation.policy.current_version_id)  # type: ignore[union-attr]
        return Case.objects.create(
            organization=organisation,
            requester=requester,
            opened_by=requester,
            channel="portal",
            environment=environment,
            request_type="incident",
            title="Imports fail",
            description="Nightly import fails for every channel.",
            severity=severity,
            # PRI-2: the queue rank open_case would give it (Sev1 first, else severity).
            queue_rank=0 if severity == 1 else severity,
            severity_reason="test",
            severity_basis="derived",
            triage=triage or {},
            status="in_progress",
            region=organisation.region,
            policy_version=version,
            received_at=at,
            route_action="team",
            route_explanation="test",
            updated_at=at,
        )

    return build


@pytest.fixture
def incident(make_incident: MakeIncident, emea_client: Organization, customer: User) -> Case:
    return make_incident(emea_client, customer)


def form_for(case: Case | None, **overrides: object) -> dict[str, object]:
    form: dict[str, object] = {
        "incident": case.reference if case is not None else "",
        "business_impact": "Orders cannot be exported to 40 stores.",
        "affected_users": "All 300 merchandisers",
        "contact": "Björn Svensson, bjorn@nordic.example, +46 8 123 45 67",
        "partner_extension": False,
    }
    form.update(overrides)
    return form
