"""A small world for the API's cross-cutting tests: one client organisation (with a
partner and a case, an escalation and a page), a stranger organisation, and one person
of every role, each with an API token."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from supportdesk.accounts.models import Organization, OrganizationKind, Role, TeamKind, User
from supportdesk.accounts.services import issue_api_token
from supportdesk.cases import services as case_services
from supportdesk.cases.drafts import CaseDraft
from supportdesk.cases.models import Case
from supportdesk.escalations import services as escalation_services
from supportdesk.escalations.models import Escalation
from supportdesk.oncall.models import Page, Schedule
from tests.cases.conftest import NOW
from tests.factories import int4_details, load_shipped_policies, make_org, make_team, make_user

#: Every identity the authorisation rules distinguish.
ROLES = (
    "anonymous",
    "customer",
    "stranger",
    "partner",
    "agent",
    "foreign_agent",
    "manager",
    "admin",
)


@dataclass
class World:
    client_org: Organization
    other_org: Organization
    users: dict[str, User]
    case: Case
    escalation: Escalation
    schedule: Schedule
    page: Page
    tokens: dict[str, str] = field(default_factory=dict)

    def client(self, role: str) -> Client:
        """A test client speaking as ``role`` through a bearer token (anonymous: none)."""
        if role == "anonymous":
            return Client()
        return Client(HTTP_AUTHORIZATION=f"Bearer {self.tokens[role]}")


@pytest.fixture
def world(db: None) -> World:
    policies = load_shipped_policies()
    policy = policies["follow-the-sun"]
    partner_org = make_org(name="Partner", kind=OrganizationKind.PARTNER, region="emea")
    client_org = make_org(name="Alpine", region="emea", policy=policy, partner=partner_org)
    other_org = make_org(name="Stranger", region="na", policy=policy)
    emea_team = make_team(region="emea")
    escalation_team = make_team(region="emea", kind=TeamKind.ESCALATION)
    users = {
        "customer": make_user(role=Role.CUSTOMER, organization=client_org),
        "stranger": make_user(role=Role.CUSTOMER, organization=other_org),
        "partner": make_user(role=Role.PARTNER, organization=partner_org),
        "agent": make_user(role=Role.AGENT, team=emea_team),
        # A region the case's follow-the-sun policy does not serve: North America's
        # agents work its open cases (HRS-3), an agent of a region outside it may not.
        "foreign_agent": make_user(role=Role.AGENT, team=make_team(region="apac")),
        "manager": make_user(role=Role.ESCALATION_MANAGER, team=escalation_team),
        "admin": User.objects.create_superuser(
            username="root", email="root@example.test", password="pw", role=Role.ADMIN
        ),
    }
    escalation_team.escalation_manager = users["manager"]
    escalation_team.save(update_fields=["escalation_manager"])
    case, _ = case_services.open_case(
        users["customer"],
        CaseDraft(
            organisation_id=client_org.pk,
            channel="portal",
            environment="production",
            request_type="incident",
            title="Imports fail",
            description="Nightly import fails for every channel.",
            answers={
                "production": True,
                "blocked": False,
                "significant_impact": True,
                "cosmetic": False,
            },
            details=int4_details(),
        ),
        now=NOW,
    )
    escalation = escalation_services.request_escalation(
        requester=users["customer"],
        form={
            "incident": case.reference,
            "business_impact": "Nobody can book.",
            "affected_users": "All",
            "contact": "Ann, ann@alpine.example",
            "partner_extension": False,
        },
        channel="api",
        now=NOW + dt.timedelta(hours=1),
    )
    schedule = Schedule.objects.create(team=emea_team, name="EMEA on-call", zone="Europe/Stockholm")
    page = Page.objects.create(
        schedule=schedule,
        case=case,
        summary="Sev1: nobody can book",
        severity=1,
        steps=[],
        created_at=NOW,
        holder=users["agent"],
    )
    world = World(client_org, other_org, users, case, escalation, schedule, page)
    for role, user in users.items():
        world.tokens[role] = issue_api_token(user=user, name="matrix")[1]
    return world


def json_post(client: Client, url: str, data: Any, **headers: Any) -> Any:
    return client.post(url, data, content_type="application/json", **headers)
