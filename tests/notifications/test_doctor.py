"""``supportdesk doctor``: who no message can reach."""

from __future__ import annotations

import pytest

from supportdesk.accounts.models import Role
from supportdesk.cli import main
from supportdesk.notifications.models import ContactChannel
from tests.factories import make_org, make_team, make_user

pytestmark = pytest.mark.django_db


def test_doctor_lists_teams_and_managers_nobody_can_reach(
    capsys: pytest.CaptureFixture[str],
) -> None:
    lonely = make_team(region="apac")
    staffed = make_team(region="na")
    make_user(role=Role.AGENT, team=staffed)
    manager = make_user(role=Role.ESCALATION_MANAGER, team=make_team(region="emea"))
    manager.email = ""
    manager.save()
    org = make_org()
    org.account_manager = manager
    org.save()
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert f"team {lonely.key}:" in out and f"team {staffed.key}" not in out
    assert f"manager {manager.username}:" in out
    ContactChannel.objects.create(team=lonely, url="json://hooks.example/apac")
    # The manager's own channel reaches them, and through them their region's team.
    ContactChannel.objects.create(user=manager, url="json://hooks.example/manager")
    assert main(["doctor"]) == 0
    assert "everyone can be reached" in capsys.readouterr().out
