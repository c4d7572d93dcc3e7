"""PRI-1: sprints belong to development teams. A case's team decides whose sprint its
work lands in; one team's sprints never overlap; bounds are sane; every channel names
the field at fault (API 4xx JSON, CLI exit 2, console form error)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from supportdesk.accounts.models import TeamKind
from supportdesk.cases import services
from supportdesk.cases.models import Case, Sprint
from supportdesk.cli import main
from supportdesk.domain.errors import DomainError
from tests.cases.conftest import NOW, bearer, open_sev
from tests.factories import make_team

pytestmark = pytest.mark.django_db

TODAY = NOW.date()
DAY = dt.timedelta(days=1)


def sprint(agent: Any, name: str, start: dt.date, days: int = 14, team: Any = None) -> Sprint:
    return services.create_sprint(
        actor=agent,
        name=name,
        starts_on=start,
        ends_on=start + (days - 1) * DAY,
        team_id=team.pk if team else None,
    )


@pytest.fixture
def web_team(db: None) -> Any:
    return make_team(region="global", kind=TeamKind.ENGINEERING)


@pytest.fixture
def rates_team(db: None) -> Any:
    return make_team(region="global", kind=TeamKind.ENGINEERING)


def test_pri1_a_sev1_lands_in_the_current_sprint_of_its_own_team(
    agent: Any, customer: Any, organisation: Any, web_team: Any, rates_team: Any
) -> None:
    ours = sprint(agent, "Web 7", TODAY - 3 * DAY, team=web_team)
    sprint(agent, "Rates 12", TODAY - 1 * DAY, team=rates_team)
    sprint(agent, "Shared 3", TODAY - 2 * DAY)
    case = open_sev(customer, organisation, severity=3, now=NOW)
    Case.objects.filter(pk=case.pk).update(team=web_team)

    services.change_severity(
        actor=agent, case_id=case.pk, severity=1, reason="Every booking fails.", now=NOW
    )

    case.refresh_from_db()
    assert case.sprint == ours


def test_pri1_a_case_without_a_development_team_uses_the_shared_plan(
    agent: Any, customer: Any, organisation: Any, web_team: Any
) -> None:
    sprint(agent, "Web 7", TODAY - 3 * DAY, team=web_team)
    shared = sprint(agent, "Shared 3", TODAY - 2 * DAY)
    case = open_sev(customer, organisation, severity=1, now=NOW)
    assert case.sprint == shared


def test_pri1_a_sprint_made_for_a_team_stops_before_its_next_planned_sprint(
    agent: Any, customer: Any, organisation: Any, web_team: Any
) -> None:
    planned = sprint(agent, "Web 8", TODAY + 5 * DAY, team=web_team)
    case = open_sev(customer, organisation, severity=3, now=NOW)
    Case.objects.filter(pk=case.pk).update(team=web_team)
    services.change_severity(actor=agent, case_id=case.pk, severity=1, reason="Outage.", now=NOW)

    case.refresh_from_db()
    assert case.sprint is not None and case.sprint.team == web_team
    assert (case.sprint.starts_on, case.sprint.ends_on) == (TODAY, planned.starts_on - DAY)


def test_pri1_one_teams_sprints_may_not_overlap_but_two_teams_may(
    agent: Any, web_team: Any, rates_team: Any
) -> None:
    sprint(agent, "Web 7", TODAY, team=web_team)
    with pytest.raises(DomainError) as refused:
        sprint(agent, "Web 7b", TODAY + 13 * DAY, team=web_team)
    assert refused.value.field == "starts_on" and "Web 7" in refused.value.message
    sprint(agent, "Web 8", TODAY + 14 * DAY, team=web_team)  # the day after: fine
    sprint(agent, "Rates 1", TODAY + 3 * DAY, team=rates_team)
    sprint(agent, "Shared 1", TODAY + 3 * DAY)
    assert Sprint.objects.count() == 4


def test_pri1_planning_a_case_into_another_teams_sprint_is_refused(
    agent: Any, sev2_case: Case, web_team: Any, rates_team: Any
) -> None:
    theirs = sprint(agent, "Rates 1", TODAY, team=rates_team)
    Case.objects.filter(pk=sev2_case.pk).update(team=web_team)
    with pytest.raises(DomainError) as refused:
        services.plan_case_into_sprint(
            actor=agent, case_id=sev2_case.pk, sprint_id=theirs.pk, now=NOW
        )
    assert refused.value.field == "sprint_id"


def test_pri1_the_api_names_the_field_of_a_bad_sprint(agent: Any, web_team: Any) -> None:
    api = bearer(agent)

    def post(body: dict[str, Any]) -> Any:
        return api.post("/api/cases/sprints", body, content_type="application/json")

    backwards = post({"name": "B", "starts_on": "2026-04-14", "ends_on": "2026-04-01"})
    assert backwards.status_code == 400 and backwards.json()["field"] == "ends_on"
    endless = post({"name": "E", "starts_on": "2026-04-01", "ends_on": "2062-04-01"})
    assert endless.status_code == 400 and endless.json()["field"] == "ends_on"
    nobody = post(
        {"name": "N", "starts_on": "2026-04-01", "ends_on": "2026-04-14", "team_id": 999999}
    )
    assert nobody.status_code == 404 and nobody.json()["field"] == "team_id"
    first = post(
        {"name": "W1", "starts_on": "2026-04-01", "ends_on": "2026-04-14", "team_id": web_team.pk}
    )
    assert first.status_code == 201 and first.json()["team_id"] == web_team.pk
    overlap = post(
        {"name": "W2", "starts_on": "2026-04-10", "ends_on": "2026-04-24", "team_id": web_team.pk}
    )
    assert overlap.status_code == 409 and overlap.json()["field"] == "starts_on"
    again = post({"name": "W1", "starts_on": "2026-06-01", "ends_on": "2026-06-14"})
    assert again.status_code == 409 and again.json()["field"] == "name"
    listed = api.get(f"/api/cases/sprints?team_id={web_team.pk}").json()["items"]
    assert [s["name"] for s in listed] == ["W1"]


def test_pri1_the_cli_exits_2_naming_the_field(
    agent: Any, web_team: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["sprint", "create", "--as", agent.username, "--team", web_team.key]
    code = main([*base, "--name", "W1", "--starts-on", "2026-04-01", "--ends-on", "2026-04-14"])
    out, _ = capsys.readouterr()
    assert code == 0 and json.loads(out)["team_id"] == web_team.pk
    code = main([*base, "--name", "W2", "--starts-on", "2026-04-14", "--ends-on", "2026-04-01"])
    _, err = capsys.readouterr()
    assert code == 2 and err.startswith("supportdesk: --ends-on: ")
    code = main([*base, "--name", "W3", "--starts-on", "2026-04-07", "--ends-on", "2026-04-20"])
    _, err = capsys.readouterr()
    assert code == 2 and err.startswith("supportdesk: --starts-on: ") and "W1" in err


def test_pri1_the_console_form_shows_the_error_by_its_field(
    agent: Any, web_team: Any, client: Any
) -> None:
    sprint(agent, "Web 7", dt.date(2026, 4, 1), team=web_team)
    client.force_login(agent)
    page = client.post(
        "/console/sprints/",
        {
            "name": "Web 7b",
            "team": str(web_team.pk),
            "starts_on": "2026-04-10",
            "ends_on": "2026-04-20",
        },
    )
    assert page.status_code == 400
    assert b"already runs 2026-04-01 to 2026-04-14" in page.content
    assert b'aria-describedby="id_starts_on_error"' in page.content
    made = client.post(
        "/console/sprints/",
        {
            "name": "Web 8",
            "team": str(web_team.pk),
            "starts_on": "2026-04-15",
            "ends_on": "2026-04-28",
        },
    )
    assert made.status_code == 302
    assert Sprint.objects.get(name="Web 8").team == web_team
