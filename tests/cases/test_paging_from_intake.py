"""INT-2: an after-hours Sev1 pages the on-call engineer in the same transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from supportdesk.accounts.models import Role
from supportdesk.notifications.models import MessageKind, OutboxMessage
from supportdesk.oncall.models import Layer, LayerParticipant, Page, Schedule
from tests.cases.conftest import open_sev
from tests.factories import make_user

pytestmark = pytest.mark.django_db

NIGHT = dt.datetime(2026, 3, 10, 6, 0, tzinfo=dt.UTC)  # Tuesday 02:00 in New York
NOON = dt.datetime(2026, 3, 10, 16, 0, tzinfo=dt.UTC)  # Tuesday 12:00 in New York


@pytest.fixture
def on_call(na_team: Any) -> Any:
    engineer = make_user(role=Role.AGENT, team=na_team, username="oncall-engineer")
    schedule = Schedule.objects.create(team=na_team, name="NA on-call", zone="America/New_York")
    layer = Layer.objects.create(
        schedule=schedule,
        name="primary",
        handoff_time=dt.time(9, 0),
        zone="America/New_York",
        period="daily",
        start=dt.date(2026, 3, 2),
    )
    LayerParticipant.objects.create(layer=layer, user=engineer, position=0)
    return engineer


def test_int2_after_hours_sev1_pages_the_on_call_engineer(
    customer: Any, organisation: Any, on_call: Any
) -> None:
    case = open_sev(
        customer, organisation, severity=1, now=NIGHT, callback_number="+1 802 253 2905"
    )
    page = Page.objects.get(case=case)
    assert page.callback_number == "+18022532905"
    assert page.severity == 1
    assert OutboxMessage.objects.filter(kind=MessageKind.PAGE, recipient_user=on_call).exists()


def test_int2_in_hours_sev1_pages_nobody(customer: Any, organisation: Any, on_call: Any) -> None:
    case = open_sev(customer, organisation, severity=1, now=NOON)
    assert case.route_action == "team"
    assert not Page.objects.filter(case=case).exists()


def test_int2_without_a_schedule_the_page_goes_to_the_region_team(
    customer: Any, organisation: Any
) -> None:
    case = open_sev(customer, organisation, severity=1, now=NIGHT, callback_number="+18022532905")
    assert not Page.objects.exists()
    message = OutboxMessage.objects.get(kind=MessageKind.PAGE)
    assert message.recipient_team_id == case.team_id
