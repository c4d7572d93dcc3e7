"""A refusal the services raise for a value the person typed as an option names that
option as they typed it (``--limit``), as the command's own checks do (README: "Bad
input always gets a message naming the option")."""

from __future__ import annotations

import pytest

from supportdesk.accounts.models import Role
from supportdesk.cli import main
from tests.factories import make_org, make_team, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def people() -> None:
    make_user(role=Role.AGENT, team=make_team(region="na"), username="nina")
    make_user(role=Role.CUSTOMER, organization=make_org(), username="carla")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["case", "list", "--as", "nina", "--limit", "0"], "--limit: must be between 1 and 200"),
        (["case", "list", "--as", "nina", "--limit=500"], "--limit: must be between 1 and 200"),
        (["case", "list", "--as", "nina", "--cursor", "zzz"], "--cursor: not a cursor"),
        (["case", "list", "--as", "carla", "--tag", "x"], "--tag: tags are for support staff"),
        (["search", "--as", "nina", "--limit", "0", "x"], "--limit: must be between 1 and 200"),
        (["sprint", "list", "--as", "nina", "--limit", "0"], "--limit: must be between 1 and"),
        (["escalation", "list", "--limit", "0"], "--limit: must be between 1 and 200"),
        (["escalation", "list", "--limit=500"], "--limit: must be between 1 and 200"),
        (["escalation", "list", "--cursor", "zzz"], "--cursor: not a cursor"),
        # A positional argument is named as the usage line shows it, not by the
        # service's field (escalation_id, case_id).
        (["escalation", "show", "999"], "ID: escalation 999 not found"),
        (["case", "show", "1", "--as", "carla"], "REF|ID: case 1 not found"),
    ],
)
def test_a_refused_option_value_is_named_as_the_option(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    assert capsys.readouterr().err.startswith(f"supportdesk: {message}")
