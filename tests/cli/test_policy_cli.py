"""`supportdesk policy check`: both shipped policies pass; broken files fail with key paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from supportdesk.cli import main
from tests.conftest import POLICY_DIR, policy_text


def check(tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    code = main(["policy", "check", str(path)])
    return code, capsys.readouterr().err


@pytest.mark.parametrize("name", ["partner-services", "follow-the-sun"])
def test_shipped_policies_pass_the_check(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy", "check", str(POLICY_DIR / f"{name}.yaml")]) == 0
    assert "ok" in capsys.readouterr().out


def test_wrong_type_is_reported_with_its_key_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = policy_text("partner-services").replace("hours: 12,", "hours: twelve,")
    code, err = check(tmp_path, text, capsys)
    assert code == 2
    assert "sla.targets[0].hours: must be a positive number of hours" in err


def test_unknown_severity_in_a_target(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = policy_text("partner-services").replace("{severity: 3, target", "{severity: 7, target")
    code, err = check(tmp_path, text, capsys)
    assert code == 2
    assert "sla.targets[2].severity: unknown severity 7" in err


def test_overlapping_hours(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = policy_text("partner-services").replace(
        'mon: ["09:00-20:00"]', 'mon: ["09:00-13:00", "12:00-20:00"]'
    )
    code, err = check(tmp_path, text, capsys)
    assert code == 2
    assert "calendars.support.hours.mon: intervals 09:00-13:00 and 12:00-20:00 overlap" in err


def test_unknown_time_zone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = policy_text("follow-the-sun").replace("zone: Europe/Stockholm", "zone: Europe/Atlantis")
    code, err = check(tmp_path, text, capsys)
    assert code == 2
    assert "calendars.emea.zone: unknown time zone 'Europe/Atlantis'" in err


def test_every_problem_is_listed_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        policy_text("follow-the-sun")
        .replace("zone: Europe/Stockholm", "zone: Mars/Olympus")
        .replace("clock: follow_the_sun}", "clock: nowhere}")
    )
    code, err = check(tmp_path, text, capsys)
    assert code == 2
    assert "calendars.emea.zone" in err
    assert err.count("unknown calendar 'nowhere'") == 3


def test_hours_that_end_before_they_start_and_24_00(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ok = policy_text("partner-services").replace("sun: []", 'sun: ["22:00-24:00"]')
    assert check(tmp_path, ok, capsys)[0] == 0
    bad = policy_text("partner-services").replace("sun: []", 'sun: ["22:00-21:00"]')
    code, err = check(tmp_path, bad, capsys)
    assert code == 2
    assert "calendars.support.hours.sun[0]" in err
    assert "ends before it starts" in err


def test_invalid_yaml_and_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = check(tmp_path, "format: [1\n", capsys)
    assert code == 2
    assert "not valid YAML" in err
    assert main(["policy", "check", str(tmp_path / "absent.yaml")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_offset_from_an_unknown_holiday(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = policy_text("partner-services").replace("from: Thanksgiving Day", "from: Thanksgivin")
    code, err = check(tmp_path, text, capsys)
    assert code == 2
    assert "calendars.support.holidays[6].offset.from: no holiday named 'Thanksgivin'" in err
