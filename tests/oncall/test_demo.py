"""The demo data set includes the NA support rotation and a team webhook channel."""

from __future__ import annotations

import pytest

from supportdesk import demo
from supportdesk.notifications.models import ContactChannel
from supportdesk.oncall.models import Schedule
from tests.factories import load_shipped_policies

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_an_na_on_call_schedule_with_the_demo_agents() -> None:
    load_shipped_policies()
    demo.seed()
    schedule = Schedule.objects.get(name="NA support on-call")
    assert schedule.team.key == "na-support"
    people = [p.user.username for p in schedule.layers.get().participants.all()]
    assert people == ["nora", "sam"]
    assert ContactChannel.objects.filter(team=schedule.team, url__startswith="jsons://").exists()
    demo.seed()  # idempotent
    assert Schedule.objects.count() == 1
