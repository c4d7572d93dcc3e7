"""Fixtures for the server-rendered pages: people of each role and cases to look at."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from supportdesk import clock
from supportdesk.accounts.models import Role
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
)

#: Tuesday 2026-03-10 11:00 in New York: partner-services support is open.
OPEN_HOURS = dt.datetime(2026, 3, 10, 15, 0, tzinfo=dt.UTC)
#: Sunday 2026-03-08 03:00 in New York: support is closed.
AFTER_HOURS = dt.datetime(2026, 3, 8, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Pin the wall clock (views and services read it through ``supportdesk.clock``)."""

    def pin(at: dt.datetime) -> dt.datetime:
        monkeypatch.setattr(clock, "now", lambda: at)
        return at

    pin(OPEN_HOURS)
    return pin


@pytest.fixture
def policies(db: None) -> dict[str, Any]:
    return load_shipped_policies()


@pytest.fixture
def agent(db: None) -> Any:
    user = make_user(role=Role.AGENT, team=make_team(region="na"), username="nora")
    user.time_zone = "America/New_York"
    user.first_name, user.last_name = "Nora", "Bennett"
    user.save()
    return user


@pytest.fixture
def organisation(policies: Any, agent: Any) -> Any:
    org = make_org(name="Alpine Lodge Resorts", region="na", policy=policies["partner-services"])
    org.account_manager = agent
    org.save()
    return org


@pytest.fixture
def customer(organisation: Any) -> Any:
    user = make_user(role=Role.CUSTOMER, organization=organisation, username="alice")
    user.time_zone = "America/Denver"
    user.save()
    return user


@pytest.fixture
def stranger(policies: Any) -> Any:
    other = make_org(name="Stranger Inc", region="na", policy=policies["partner-services"])
    return make_user(role=Role.CUSTOMER, organization=other, username="stranger")


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def customer_client(customer: Any) -> Client:
    return client_for(customer)


@pytest.fixture
def agent_client(agent: Any) -> Client:
    return client_for(agent)


def open_sev(actor: Any, org: Any, *, severity: int, now: dt.datetime = OPEN_HOURS) -> Case:
    answers = {
        1: answers_none(cannot_book=True, workaround=False),
        2: answers_none(significant_impact=True, workaround=False),
        3: answers_none(),
        4: answers_none(cosmetic=True),
    }[severity]
    case, _ = services.open_case(
        actor,
        CaseDraft(
            organisation_id=org.pk,
            channel="portal",
            environment="production",
            request_type="incident",
            title=f"Sev{severity} problem",
            description="Something broke.",
            answers=answers,
            details=int4_details(),
        ),
        now=now,
    )
    return case


@pytest.fixture
def sev2_case(customer: Any, organisation: Any, frozen_clock: Any) -> Case:
    return open_sev(customer, organisation, severity=2)


def yes_no(answers: dict[str, bool]) -> dict[str, str]:
    return {f"q_{k}": "yes" if v else "no" for k, v in answers.items()}
