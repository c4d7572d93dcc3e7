"""Console tables name a person through ``User.display_name`` (full name, else username),
like every other page: an assignee without a full name is not shown as nobody."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from supportdesk.accounts.models import Role
from supportdesk.answers.models import Macro
from supportdesk.cases.models import Case
from tests.factories import make_user
from tests.web.conftest import open_sev

pytestmark = pytest.mark.django_db


def _assignee_cell(html: str, case: Case) -> str:
    row = re.search(rf'<tr data-case="{case.reference}".*?</tr>', html, re.S)
    assert row is not None, f"no row for {case.reference}"
    cell = re.search(r'<td data-label="Assignee">(.*?)</td>', row.group(0), re.S)
    assert cell is not None
    return cell.group(1).strip()


@pytest.fixture
def kim() -> Any:
    """An agent with a username and no full name."""
    return make_user(role=Role.AGENT, username="kim")


def test_the_queue_names_an_assignee_without_a_full_name_by_username(
    agent_client: Client, sev2_case: Case, kim: Any
) -> None:
    Case.objects.filter(pk=sev2_case.pk).update(assignee=kim)
    html = agent_client.get("/console/").content.decode()
    assert _assignee_cell(html, sev2_case) == "kim"


def test_the_queue_shows_a_dash_for_an_unassigned_case(
    agent_client: Client, sev2_case: Case
) -> None:
    html = agent_client.get("/console/").content.decode()
    assert _assignee_cell(html, sev2_case) == "—"


def test_the_sprint_board_names_an_assignee_without_a_full_name_by_username(
    agent_client: Client, customer: Any, organisation: Any, frozen_clock: Any, kim: Any
) -> None:
    case = open_sev(customer, organisation, severity=1)
    Case.objects.filter(pk=case.pk).update(assignee=kim)
    html = agent_client.get("/console/sprints/").content.decode()
    assert _assignee_cell(html, case) == "kim"


def test_the_macro_list_names_the_assignee_by_full_name(
    agent_client: Client, agent: Any, sev2_case: Case
) -> None:
    Macro.objects.create(
        name="Take it",
        assignee=agent,
        owner=agent,
        created_by=agent,
        created_at=sev2_case.received_at,
        updated_at=sev2_case.received_at,
    )
    html = agent_client.get("/console/macros/").content.decode()
    assert "assign Nora Bennett" in html
