"""Issue 22 from the command line without a database: ``policy diff`` exit codes,
``calendar add`` units, ``calendar elapsed`` of a reversed range, and holiday feeds
exported, written beside a policy or served on 127.0.0.1, and read back."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from supportdesk.cli import main
from tests.conftest import POLICY_DIR, policy_text

PS = str(POLICY_DIR / "partner-services.yaml")
FTS = str(POLICY_DIR / "follow-the-sun.yaml")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_diff_of_the_two_shipped_policies_lists_differences_and_exits_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "policy", "diff", PS, FTS, "--year", "2027")
    assert code == 1
    assert "calendars.support: calendar removed" in out
    assert "sla: severity 2 first response 24 hours on support → 8 hours on follow_the_sun" in out


def test_diff_of_a_file_with_itself_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "policy", "diff", PS, PS)
    assert code == 0
    assert out.strip().endswith("no differences")


def test_diff_as_json_and_of_an_invalid_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    changed = tmp_path / "changed.yaml"
    changed.write_text(
        policy_text("partner-services").replace('sat: ["10:00-18:00"]', "sat: closed")
    )
    code, out, _ = run(capsys, "policy", "diff", PS, str(changed), "--json")
    assert code == 1
    assert json.loads(out) == [
        {"section": "calendars.support", "text": "Saturday 10:00-18:00 → closed"}
    ]
    broken = tmp_path / "broken.yaml"
    broken.write_text("calendars: [")
    code, _, err = run(capsys, "policy", "diff", PS, str(broken))
    assert code == 2 and "not valid YAML" in err


@pytest.mark.parametrize(
    ("option", "amount"), [("--seconds", "90"), ("--minutes", "1.5"), ("--hours", "0.025")]
)
def test_add_takes_seconds_minutes_or_hours(
    capsys: pytest.CaptureFixture[str], option: str, amount: str
) -> None:
    argv = ["calendar", "add", "--policy", PS, "--start", "2026-11-23T09:00:00-05:00"]
    code, out, _ = run(capsys, *argv, option, amount)
    assert code == 0
    assert json.loads(out)["due"] == "2026-11-23T09:01:30-05:00"


def test_elapsed_with_the_end_before_the_start_is_zero(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["calendar", "elapsed", "--policy", PS, "--start", "2026-11-24T00:00:00Z"]
    code, out, _ = run(capsys, *argv, "--end", "2026-11-23T00:00:00Z")
    assert code == 0
    assert json.loads(out)["seconds"] == 0


def _with_feed(source: str) -> str:
    """partner-services with its holiday rules replaced by a feed."""
    text = policy_text("partner-services")
    start = text.index("    holidays:\n")
    end = text.index("\n", text.index("New Year's Day", start)) + 1
    return text[:start] + f"    import_holidays: {{ics: {source!r}}}\n" + text[end:]


def _holidays(capsys: pytest.CaptureFixture[str], policy: str) -> list[dict[str, object]]:
    code, out, err = run(capsys, "calendar", "holidays", "--policy", policy, "--year", "2027")
    assert code == 0, err
    rows: list[dict[str, object]] = json.loads(out)
    for row in rows:
        row.pop("source")
    return rows


def test_an_exported_feed_beside_the_policy_reimports_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["calendar", "export-ics", "--policy", PS, "--year", "2027", "--holidays-only"]
    assert main(argv) == 0
    feed = capsys.readouterr().out
    (tmp_path / "holidays.ics").write_text(feed)
    policy = tmp_path / "policy.yaml"
    policy.write_text(_with_feed("holidays.ics"))
    assert main(["policy", "check", str(policy)]) == 0
    capsys.readouterr()
    assert _holidays(capsys, str(policy)) == _holidays(capsys, PS)


@pytest.fixture
def feed_server(tmp_path: Path) -> Iterator[str]:
    (tmp_path / "feed.ics").write_bytes(
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:1\r\n"
        b"DTSTART;VALUE=DATE:20270705\r\nSUMMARY:Company day\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, directory=str(tmp_path), **kwargs)  # type: ignore[arg-type]

        def log_message(self, format: str, *args: object) -> None:
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_feed_url_is_read_when_the_policy_is(
    tmp_path: Path, feed_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(_with_feed(f"{feed_server}/feed.ics"))
    rows = _holidays(capsys, str(policy))
    assert [(r["date"], r["name"], r["hours"]) for r in rows] == [
        ("2027-07-05", "Company day", "closed")
    ]
    policy.write_text(_with_feed(f"{feed_server}/missing.ics"))
    code, _, err = run(capsys, "policy", "check", str(policy))
    assert code == 2
    assert "calendars.support.import_holidays.ics: cannot read" in err


def test_add_takes_one_unit_only(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["calendar", "add", "--policy", PS, "--start", "2026-11-23T09:00:00Z"]
    with pytest.raises(SystemExit) as caught:
        main([*argv, "--hours", "1", "--minutes", "3"])
    assert caught.value.code == 2
    assert "--minutes: not allowed with argument --hours" in capsys.readouterr().err
