"""`supportdesk route` and the coverage report behind `supportdesk policy coverage`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from supportdesk.cli import UsageError, main
from supportdesk.cli.route import coverage_report
from supportdesk.domain.policy import load_policy_text

POLICY_DIR = Path(__file__).resolve().parents[2] / "policies"
PARTNER = str(POLICY_DIR / "partner-services.yaml")
SUN = str(POLICY_DIR / "follow-the-sun.yaml")


def route(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any, str]:
    code = main(["route", *args])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 else out), err


def test_int2_after_hours_sev1_prints_page_on_call_with_callback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = route(
        capsys,
        *("--policy", PARTNER, "--severity", "1", "--type", "incident", "--region", "na"),
        *("--at", "2026-03-15T08:00:00-04:00", "--callback", "+1 (802) 253-2905"),
    )
    assert code == 0
    assert out["action"] == "page_on_call"
    assert out["region"] is None
    assert out["next_open"] == "2026-03-16T13:00:00+00:00"
    assert out["needs_callback"] is True
    assert out["callback_number"] == "+18022532905"
    assert "08:00 EDT" in out["explanation"]


def test_esc_7_emea_client_at_1800_stockholm_is_routed_to_north_america(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = route(
        capsys,
        "--policy",
        SUN,
        "--severity",
        "2",
        "--region",
        "emea",
        "--at",
        "2026-02-10T18:00+01:00",
    )
    assert code == 0
    assert {k: out[k] for k in ("action", "region", "next_open")} == {
        "action": "team",
        "region": "na",
        "next_open": None,
    }


def test_queue_prints_the_next_opening_in_utc(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = route(capsys, "--policy", SUN, "--severity", "3", "--at", "2026-02-14T12:00Z")
    assert code == 0
    assert (out["action"], out["region"]) == ("queue", "emea")
    assert out["next_open"] == "2026-02-16T07:00:00+00:00"


def test_sev3_refusal_is_printed_not_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = route(
        capsys,
        "--policy",
        PARTNER,
        "--severity",
        "1",
        "--type",
        "password",
        "--at",
        "2026-03-10T23:00-04:00",
    )
    assert code == 0
    assert out["action"] == "refuse"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--at", "2026-03-10T12:00:00"), "--at: '2026-03-10T12:00:00' has no UTC offset"),
        (("--at", "yesterday"), "--at: 'yesterday' is not an ISO 8601 date-time"),
        (("--at", "2026-03-10T12:00Z", "--region", "apac"), "region: unknown region 'apac'"),
        (("--at", "2026-03-10T12:00Z", "--type", "nonsense"), "request_type: unknown request type"),
        (("--at", "2026-03-10T12:00Z", "--callback", "12"), "callback_number:"),
    ],
)
def test_bad_input_exits_2_with_the_option_and_reason(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    code, out, err = route(capsys, "--policy", PARTNER, "--severity", "1", *args)
    assert code == 2
    assert out == ""
    assert message in err


def test_unreadable_policy_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = route(
        capsys,
        "--policy",
        str(tmp_path / "missing.yaml"),
        "--severity",
        "1",
        "--at",
        "2026-03-10T12:00Z",
    )
    assert code == 2
    assert "--policy: cannot read" in err


# -- coverage report (HRS-3) ------------------------------------------------------------------


def test_hrs3_coverage_report_lists_uncovered_utc_intervals_per_iso_week() -> None:
    policy = load_policy_text(Path(SUN).read_text())
    report = coverage_report(policy, 2026)
    json.dumps(report)  # plain JSON data
    weeks = {w["week"]: w for w in report["weeks"]}
    assert len(weeks) == 53
    assert [r["zone"] for r in report["regions"]] == ["Europe/Stockholm", "America/New_York"]
    w10, w11 = weeks["2026-W10"], weeks["2026-W11"]
    assert w10["uncovered"][1] == {
        "start": "2026-03-02T22:00:00+00:00",
        "end": "2026-03-03T07:00:00+00:00",
        "hours": 9.0,
    }
    assert w11["uncovered"][1] == {
        "start": "2026-03-09T21:00:00+00:00",
        "end": "2026-03-10T07:00:00+00:00",
        "hours": 10.0,
    }
    assert w11["uncovered_hours"] - w10["uncovered_hours"] == 5.0


def test_coverage_report_refuses_a_year_out_of_range() -> None:
    policy = load_policy_text(Path(SUN).read_text())
    with pytest.raises(UsageError):
        coverage_report(policy, 12026)
