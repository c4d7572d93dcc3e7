"""Fixtures for on-call: the NA support team, its rotation and escalation manager."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from supportdesk.accounts.models import Role, Team, User
from supportdesk.accounts.services import issue_api_token
from supportdesk.oncall.models import Layer, LayerParticipant, Schedule
from tests.factories import make_team, make_user

#: Tuesday 14 April 2026, 15:00 UTC = 11:00 in New York: Sam's day on the rotation.
T0 = dt.datetime(2026, 4, 14, 15, 0, tzinfo=dt.UTC)
#: Wednesday 15 April 2026, 09:00 New York: the rotation hands over to Nora.
HANDOFF = dt.datetime(2026, 4, 15, 13, 0, tzinfo=dt.UTC)


@pytest.fixture
def team(db: None) -> Team:
    team = make_team(region="na")
    team.escalation_manager = make_user(role=Role.ESCALATION_MANAGER, username="marcus")
    team.save(update_fields=["escalation_manager"])
    return team


@pytest.fixture
def manager(team: Team) -> User:
    assert team.escalation_manager is not None
    return team.escalation_manager


@pytest.fixture
def nora(team: Team) -> User:
    return make_user(role=Role.AGENT, team=team, username="nora")


@pytest.fixture
def sam(team: Team) -> User:
    return make_user(role=Role.AGENT, team=team, username="sam")


@pytest.fixture
def schedule(team: Team, nora: User, sam: User) -> Schedule:
    """A daily rotation Nora, Sam, handing off at 09:00 New York time from Monday 13 April."""
    schedule = Schedule.objects.create(
        team=team,
        name="NA on-call",
        zone="America/New_York",
        renotify_minutes=5,
        escalate_after_minutes=15,
    )
    layer = Layer.objects.create(
        schedule=schedule,
        name="primary",
        handoff_time=dt.time(9, 0),
        zone="America/New_York",
        period="daily",
        start=dt.date(2026, 4, 13),
    )
    LayerParticipant.objects.create(layer=layer, user=nora, position=0)
    LayerParticipant.objects.create(layer=layer, user=sam, position=1)
    return schedule


def client_for(user: User) -> Client:
    _, token = issue_api_token(user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")
