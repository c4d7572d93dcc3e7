"""Issue 22 against the database: ``sla explain`` of a stored case, and ``policy
whatif`` replaying stored histories without writing a row."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from supportdesk.cases import services
from supportdesk.cases.policy_truth import explain_case
from supportdesk.cli import main
from tests.cases.conftest import open_sev
from tests.conftest import policy_text

NY = ZoneInfo("America/New_York")


def ny(month: int, day: int, hour: int) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=NY)


@pytest.fixture
def history(customer: Any, organisation: Any, agent: Any) -> dict[str, Any]:
    """Three Sev2 cases of March 2026; the first answered after its Tuesday 13:00 due
    but before the due it would have without Saturday hours (Wednesday 10:00)."""
    relied = open_sev(customer, organisation, severity=2, now=ny(3, 13, 19))
    answered = open_sev(customer, organisation, severity=2, now=ny(3, 13, 19))
    weekday = open_sev(customer, organisation, severity=2, now=ny(3, 16, 9))
    for case, at in ((relied, ny(3, 17, 15)), (answered, ny(3, 16, 10)), (weekday, ny(3, 18, 12))):
        services.add_comment(actor=agent, case_id=case.pk, body="On it.", now=at)
    return {"relied": relied, "answered": answered, "weekday": weekday}


@pytest.fixture
def no_saturday(tmp_path: Path) -> str:
    path = tmp_path / "no-saturday.yaml"
    text = policy_text("partner-services").replace('sat: ["10:00-18:00"]', "sat: closed")
    path.write_text(text.replace('version: "2026.5"', 'version: "2026.6"'))
    return str(path)


def test_explain_case_reads_the_pinned_version_and_the_stored_timeline(
    history: dict[str, Any],
) -> None:
    explained = explain_case(history["relied"], now=ny(3, 20, 9))
    (first,) = [d for d in explained.deadlines if str(d.clock.kind) == "first_response"]
    assert explained.policy_version == "2026.5"
    assert first.clock.due_at == ny(3, 17, 13)
    assert first.clock.met_at == ny(3, 17, 15)
    assert [p.day.day for p in first.counted] == [13, 14, 16, 17]


def test_sla_explain_prints_the_sentence(
    history: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sla", "explain", history["relied"].reference]) == 0
    out = capsys.readouterr().out
    assert "policy partner-services 2026.5" in out
    assert (
        "first response: 24 business hours from Fri 13 Mar 19:00 EDT: Fri 13 Mar 19:00-20:00, "
        "Sat 14 Mar 10:00-18:00, Mon 16 Mar 09:00-20:00, Tue 17 Mar 09:00-13:00 "
        "→ due Tue 17 Mar 13:00 EDT; met Tue 17 Mar 15:00 EDT; missed at Tue 17 Mar 13:00 EDT"
    ) in out


def test_sla_explain_of_an_unknown_case_exits_2(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sla", "explain", "SD-999999"]) == 2
    assert "case: case SD-999999 not found" in capsys.readouterr().err


def test_whatif_without_saturday_flips_exactly_the_case_that_relied_on_it(
    history: dict[str, Any], no_saturday: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["policy", "whatif", "--policy", no_saturday, "--from", "2026-03-01"]
    with CaptureQueriesContext(connection) as queries:
        code = main([*argv, "--to", "2026-03-31", "--json"])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["cases"] == 3
    flips = [f for row in report["rows"] for f in row["flips"]]
    assert flips == [{"reference": history["relied"].reference, "direction": "recovers"}]
    # Read-only: no statement of the replay writes.
    writes = [q["sql"] for q in queries.captured_queries if not _is_read(q["sql"])]
    assert writes == []


def _is_read(sql: str) -> bool:
    head = sql.lstrip().split(None, 1)[0].upper()
    return head in {"SELECT", "SAVEPOINT", "RELEASE", "PRAGMA"}


def test_whatif_of_one_organisation_and_a_range_with_no_cases(
    history: dict[str, Any], no_saturday: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["policy", "whatif", "--policy", no_saturday, "--from", "2026-04-01"]
    assert main([*argv, "--to", "2026-04-30", "--org", "nobody"]) == 0
    assert "0 cases, 0 flipped" in capsys.readouterr().out


def test_whatif_refuses_a_range_that_ends_before_it_starts(
    no_saturday: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["policy", "whatif", "--policy", no_saturday, "--from", "2026-04-01"]
    assert main([*argv, "--to", "2026-03-01"]) == 2
    assert "--to: must not be before --from" in capsys.readouterr().err
