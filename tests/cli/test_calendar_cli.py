"""`supportdesk calendar …` and `supportdesk sla due`: JSON out, exit 2 on bad input."""

from __future__ import annotations

import json

import icalendar
import pytest

from supportdesk.cli import main
from tests.conftest import POLICY_DIR

PS = str(POLICY_DIR / "partner-services.yaml")
FTS = str(POLICY_DIR / "follow-the-sun.yaml")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_hrs1_add_lands_on_the_closing_instant(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "calendar",
        "add",
        "--policy",
        PS,
        "--start",
        "2026-11-23T09:00:00-05:00",
        "--hours",
        "11",
    )
    assert code == 0
    assert json.loads(out)["due"] == "2026-11-23T20:00:00-05:00"


def test_hrs2_sev2_over_thanksgiving_uses_reduced_and_saturday_hours(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Wed 19-20 (1 h), Thanksgiving closed, Fri 10-18 (8 h), Sat 10-18 (8 h), Sun closed, Mon 09-16 (7 h).
    code, out, _ = run(
        capsys,
        "sla",
        "due",
        "--policy",
        PS,
        "--severity",
        "2",
        "--received",
        "2026-11-26T00:00:00Z",
    )
    assert code == 0
    (target,) = json.loads(out)["targets"]
    assert target["clock"] == "support"
    assert target["due"] == "2026-11-30T16:00:00-05:00"


def test_rsp1_sev1_is_due_12_hours_later_around_the_clock(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(
        capsys,
        "sla",
        "due",
        "--policy",
        PS,
        "--severity",
        "1",
        "--received",
        "2026-11-29T03:00:00-05:00",
    )
    (target,) = json.loads(out)["targets"]
    assert code == 0 and target["due"] == "2026-11-29T15:00:00-05:00"


def test_rsp3_sev4_has_no_target(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "sla",
        "due",
        "--policy",
        PS,
        "--severity",
        "4",
        "--received",
        "2026-11-29T03:00:00Z",
    )
    assert code == 0 and json.loads(out)["targets"] == []


def test_elapsed_counts_business_seconds(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "calendar",
        "elapsed",
        "--policy",
        PS,
        "--calendar",
        "support",
        "--start",
        "2026-11-23T09:00:00-05:00",
        "--end",
        "2026-11-24T09:00:00-05:00",
    )
    assert code == 0 and json.loads(out)["seconds"] == 11 * 3600


def test_holidays_lists_imported_days_by_name(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "calendar",
        "holidays",
        "--policy",
        FTS,
        "--calendar",
        "north_america",
        "--year",
        "2026",
    )
    names = {h["name"] for h in json.loads(out)}
    assert code == 0
    assert "Thanksgiving Day" in names
    assert "Columbus Day" not in names  # switched off by name in the policy


def test_export_ics_is_valid_icalendar(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert main(["calendar", "export-ics", "--policy", PS, "--year", "2026"]) == 0
    parsed = icalendar.Calendar.from_ical(capsysbinary.readouterr().out)
    events = list(parsed.walk("VEVENT"))
    summaries = {str(e["summary"]) for e in events}
    assert "Thanksgiving Day (closed)" in summaries
    assert "Friday after Thanksgiving (10:00-18:00)" in summaries
    assert len({str(e["uid"]) for e in events}) == len(events)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["calendar", "add", "--policy", PS, "--start", "2026-11-23T09:00:00", "--hours", "1"],
            "--start",
        ),
        (
            [
                "calendar",
                "add",
                "--policy",
                PS,
                "--calendar",
                "nope",
                "--start",
                "2026-11-23T09:00:00Z",
                "--hours",
                "1",
            ],
            "--calendar",
        ),
        (
            ["sla", "due", "--policy", PS, "--severity", "9", "--received", "2026-11-23T00:00:00Z"],
            "--severity",
        ),
        (
            [
                "sla",
                "due",
                "--policy",
                "/nonexistent.yaml",
                "--severity",
                "1",
                "--received",
                "2026-11-23T00:00:00Z",
            ],
            "--policy",
        ),
    ],
)
def test_bad_input_exits_2_naming_the_option(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert message in err


def test_negative_hours_are_refused_by_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(
            ["calendar", "add", "--policy", PS, "--start", "2026-11-23T09:00:00Z", "--hours", "-1"]
        )
    assert exc.value.code == 2
    assert "--hours" in capsys.readouterr().err
