"""Fixtures for the cases app: named for what they give."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from supportdesk.accounts.models import OrganizationKind, Role
from supportdesk.accounts.services import issue_api_token
from supportdesk.cases import services
from supportdesk.cases.drafts import CaseDraft
from supportdesk.cases.models import Case
from tests.factories import (
    answers_none,
    int4_details,
    load_shipped_policies,
    make_org,
    make_team,
    make_user,
    tell_everyone,
)

#: Tuesday 2026-03-10 11:00 in New York: the partner-services support calendar is open.
NOW = dt.datetime(2026, 3, 10, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def now() -> dt.datetime:
    return NOW


@pytest.fixture
def policies(db: None) -> dict[str, Any]:
    return load_shipped_policies()


@pytest.fixture
def na_team(db: None) -> Any:
    return make_team(region="na")


@pytest.fixture
def agent(na_team: Any) -> Any:
    return make_user(role=Role.AGENT, team=na_team)


@pytest.fixture
def emea_agent(db: None) -> Any:
    return make_user(role=Role.AGENT, team=make_team(region="emea"))


@pytest.fixture
def manager(db: None) -> Any:
    return make_user(role=Role.ESCALATION_MANAGER, team=make_team(region="emea"))


@pytest.fixture
def organisation(policies: Any, agent: Any) -> Any:
    org = make_org(name="Alpine", region="na", policy=policies["partner-services"])
    org.account_manager = agent
    org.save()
    return org


@pytest.fixture
def other_organisation(policies: Any) -> Any:
    return make_org(name="Stranger", region="na", policy=policies["partner-services"])


@pytest.fixture
def customer(organisation: Any) -> Any:
    return make_user(role=Role.CUSTOMER, organization=organisation)


@pytest.fixture
def stranger(other_organisation: Any) -> Any:
    return make_user(role=Role.CUSTOMER, organization=other_organisation)


@pytest.fixture
def partner_world(policies: Any) -> dict[str, Any]:
    partner = make_org(name="Partner", kind=OrganizationKind.PARTNER, region="emea")
    client = make_org(
        name="Client", region="na", partner=partner, policy=policies["partner-services"]
    )
    return {
        "partner": partner,
        "client": client,
        "partner_user": make_user(role=Role.PARTNER, organization=partner),
        "client_user": make_user(role=Role.CUSTOMER, organization=client),
    }


def open_sev(actor: Any, org: Any, *, severity: int, now: dt.datetime, **kw: Any) -> Case:
    """Open a partner-services case of the given triaged severity."""
    answers = {
        1: answers_none(cannot_book=True, workaround=False),
        2: answers_none(significant_impact=True, workaround=False),
        3: answers_none(),
        4: answers_none(cosmetic=True),
    }[severity]
    options = {k: kw.pop(k) for k in ("idempotency_key", "policy_version") if k in kw}
    draft: dict[str, Any] = {
        "organisation_id": org.pk,
        "channel": "portal",
        "environment": "production",
        "request_type": "incident",
        "title": f"Sev{severity} problem",
        "description": "Something broke.",
        "answers": answers,
        "details": int4_details(),
    }
    draft.update(kw)
    case, _ = services.open_case(actor, CaseDraft(**draft), now=now, **options)
    return case


@pytest.fixture
def sev2_case(customer: Any, organisation: Any) -> Case:
    """A Sev2 case, opened and told (its receipt and the team's notices written, as
    the worker does within a second of the create)."""
    case = open_sev(customer, organisation, severity=2, now=NOW)
    tell_everyone()
    return case


@pytest.fixture
def sev1_case(customer: Any, organisation: Any) -> Case:
    """A Sev1 case, opened and told."""
    case = open_sev(customer, organisation, severity=1, now=NOW)
    tell_everyone()
    return case


def bearer(user: Any) -> Client:
    _, token = issue_api_token(user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")
