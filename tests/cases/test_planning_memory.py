"""Every new case reads its support team and its sprints; a process keeps them in
memory while the planning stamp stays, and a team or sprint changed anywhere (another
worker, Celery, the CLI) is seen by the next create."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from supportdesk.api_auth import READ_WITH_TOKEN_FOR, read_with_token
from supportdesk.cases.models import Case, PlanningStamp
from tests.cases.conftest import NOW, bearer, open_sev
from tests.cases.test_api import body
from tests.factories import make_team

pytestmark = pytest.mark.django_db


def _open(customer: Any, organisation: Any) -> tuple[Case, list[str]]:
    """A new Sev1 case (the current sprint of the shared plan) and the team and sprint
    reads it made."""
    with CaptureQueriesContext(connection) as queries:
        case = open_sev(customer, organisation, severity=1, now=NOW)
    tables = ("accounts_team", "cases_sprint")
    return case, [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith("SELECT") and any(t in q["sql"] for t in tables)
    ]


def _warm_up(customer: Any, organisation: Any) -> Case:
    """The first case files into a sprint made for it (a change), so the second reads
    the teams and sprints as they now are; later creates find them in memory."""
    _open(customer, organisation)
    case, _ = _open(customer, organisation)
    return case


def test_a_create_after_another_reads_neither_team_nor_sprint(
    customer: Any, organisation: Any, na_team: Any
) -> None:
    before = _warm_up(customer, organisation)
    case, reads = _open(customer, organisation)
    assert reads == []
    assert case.team == na_team
    assert case.sprint == before.sprint


def test_a_team_changed_elsewhere_is_seen_by_the_next_create(
    customer: Any, organisation: Any, na_team: Any
) -> None:
    _warm_up(customer, organisation)
    na_team.region = "emea"
    na_team.save()
    newer = make_team(region="na")
    case, reads = _open(customer, organisation)
    assert reads
    assert case.team == newer


def test_a_renamed_sprint_is_seen_by_the_next_create(customer: Any, organisation: Any) -> None:
    sprint = _warm_up(customer, organisation).sprint
    assert sprint is not None
    sprint.name = "Renamed in the console"
    sprint.save()
    case, _ = _open(customer, organisation)
    assert case.sprint is not None and case.sprint.name == "Renamed in the console"


def test_a_rolled_back_change_leaves_the_kept_teams_right(
    customer: Any, organisation: Any, na_team: Any
) -> None:
    _warm_up(customer, organisation)
    seen: list[Case] = []

    def change_then_fail() -> None:
        with transaction.atomic():
            na_team.region = "emea"
            na_team.save()
            seen.append(_open(customer, organisation)[0])
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        change_then_fail()
    assert seen[0].team is None
    case, _ = _open(customer, organisation)
    assert case.team is not None and case.team.pk == na_team.pk


def test_without_the_stamp_every_create_reads_its_team_and_sprints(
    customer: Any, organisation: Any, na_team: Any
) -> None:
    _warm_up(customer, organisation)
    PlanningStamp.objects.all().delete()  # as a flushed database has none
    for _ in range(2):
        case, reads = _open(customer, organisation)
        assert len(reads) == 2
        assert case.team == na_team


def test_a_create_by_the_api_plans_under_the_stamp_read_with_its_token(
    customer: Any, organisation: Any, na_team: Any
) -> None:
    """The token's statement brings the stamp: the create reads none of its own, and a
    team changed between two creates is seen by the second."""
    api = bearer(customer)

    def create() -> tuple[Case, list[str]]:
        with CaptureQueriesContext(connection) as queries:
            response = api.post("/api/cases", body(organisation), content_type="application/json")
        assert response.status_code == 201, response.content
        return Case.objects.get(pk=response.json()["id"]), [
            q["sql"] for q in queries.captured_queries
        ]

    for _ in range(2):  # the first files into a sprint made for it: a change
        create()
    case, statements = create()
    assert case.team == na_team
    stamp_reads = [s for s in statements if 'FROM "cases_planningstamp"' in s]
    assert len(stamp_reads) == 1  # in the token's statement, none of the create's own
    assert "accounts_apitoken" in stamp_reads[0]
    na_team.region = "emea"
    na_team.save()
    newer = make_team(region="na")
    case, _ = create()
    assert case.team == newer


def test_a_stamp_read_with_the_token_stands_only_while_fresh() -> None:
    """ninja reads the body after authenticating: a create whose body arrived slowly
    reads the stamp itself instead of planning under one read seconds before."""
    request = RequestFactory().post("/api/cases")
    assert read_with_token(request) == (False, None)
    request.read_with_token = (7, time.monotonic())  # type: ignore[attr-defined]
    assert read_with_token(request) == (True, 7)
    late = time.monotonic() - READ_WITH_TOKEN_FOR - 0.01
    request.read_with_token = (7, late)  # type: ignore[attr-defined]
    assert read_with_token(request) == (False, None)
