"""A new case by mail plans under the planning stamp read with its sender
(``intake.selectors.sender_and_rate``), not under a read of its own: a team or sprint
changed between two messages is still seen by the second, and without the stamp's row
every message's case reads its team and sprints."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from supportdesk.accounts.models import Team
from supportdesk.cases import planning_stamp
from supportdesk.cases.models import Case, PlanningStamp
from supportdesk.intake.models import InboundState
from tests.factories import make_team
from tests.intake import corpus
from tests.intake.conftest import CUSTOMER, ingest


@pytest.fixture(autouse=True)
def _no_stamp_read_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """The mail path's only read of the stamp is the sender's statement."""

    def refused() -> int | None:
        raise AssertionError("a new case by mail read the planning stamp again")

    monkeypatch.setattr(planning_stamp, "read", refused)


def _new_case(subject: str) -> tuple[Case, list[str]]:
    """The case a new message opens, and the team and sprint reads of the message."""
    with CaptureQueriesContext(connection) as queries:
        message = ingest(corpus.plain(sender=CUSTOMER, subject=subject, body="x")).message
    assert message.state == InboundState.OPENED, message.reason
    tables = ("accounts_team", "cases_sprint")
    reads = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith("SELECT") and any(t in q["sql"] for t in tables)
    ]
    return Case.objects.select_related("team").get(pk=message.case_id), reads


def _warm_up() -> None:
    """The first case files into a sprint made for it (a change), the second reads the
    teams and sprints as they now are; later messages find them in memory."""
    _new_case("Warm-up")
    _new_case("Warm-up again")


def test_a_team_changed_between_two_messages_is_seen_by_the_second(
    customer: Any, agent: Any
) -> None:
    _warm_up()
    case, reads = _new_case("Rates will not save")
    assert reads == []
    assert case.team == agent.team
    agent.team.region = "emea"
    agent.team.save()
    newer = make_team(region="na")
    case, reads = _new_case("Rates still will not save")
    assert reads
    assert case.team == newer


def test_a_renamed_sprint_is_seen_by_the_next_message(customer: Any) -> None:
    _warm_up()
    sprint = _new_case("Rates will not save")[0].sprint
    assert sprint is not None
    sprint.name = "Renamed in the console"
    sprint.save()
    case, _ = _new_case("Rates still will not save")
    assert case.sprint is not None and case.sprint.name == "Renamed in the console"


def test_after_the_stamp_row_is_deleted_a_message_plans_from_the_rows(
    customer: Any, agent: Any
) -> None:
    _warm_up()
    newer = make_team(region="na")
    assert _new_case("Rates will not save")[0].team == agent.team
    PlanningStamp.objects.all().delete()  # as a flushed database has none
    # Behind the signals: no stamp is written, and only a fresh read can see it.
    Team.objects.filter(pk=agent.team.pk).update(region="emea")
    for subject in ("Rates still will not save", "Nor today"):
        case, reads = _new_case(subject)
        assert len(reads) == 2
        assert case.team == newer
