"""Issue 22: adopting a policy version for open cases (``supportdesk policy apply NEW
--open-cases`` and the service behind it): the what-if first, then each open case
re-pinned with a timeline event naming both versions and both dues; idempotent."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from supportdesk import clock
from supportdesk.accounts.permissions import Forbidden
from supportdesk.cases import events
from supportdesk.cases.models import Case, CaseEvent, EventKind
from supportdesk.cases.services.repin import repin_open_cases
from supportdesk.cli import main
from supportdesk.domain.lifecycle import CaseStatus
from supportdesk.policies.models import PolicyVersion
from supportdesk.policies.services import load_policy_version
from tests.cases.conftest import open_sev
from tests.conftest import policy_text

NY = ZoneInfo("America/New_York")
#: Monday 16 March 2026, 10:00 in New York: the instant of every re-pinning here.
MONDAY = dt.datetime(2026, 3, 16, 10, tzinfo=NY)


def no_saturday_text() -> str:
    text = policy_text("partner-services").replace('sat: ["10:00-18:00"]', "sat: closed")
    return text.replace('version: "2026.5"', 'version: "2026.6"')


@pytest.fixture
def no_saturday(tmp_path: Path) -> str:
    path = tmp_path / "no-saturday.yaml"
    path.write_text(no_saturday_text())
    return str(path)


@pytest.fixture
def friday_case(customer: Any, organisation: Any, monkeypatch: pytest.MonkeyPatch) -> Case:
    """A Sev2 case received Fri 13 Mar 19:00 EDT, not answered yet: due Tue 13:00 under
    2026.5 (Saturday 10:00-18:00 counts), Wed 10:00 without Saturday hours."""
    monkeypatch.setattr(clock, "now", lambda: MONDAY)
    return open_sev(customer, organisation, severity=2, now=dt.datetime(2026, 3, 13, 19, tzinfo=NY))


def first_due(case: Case) -> dt.datetime | None:
    return case.clocks.get(kind="first_response").due_at


def test_a_dry_run_shows_the_moved_due_and_changes_nothing(
    friday_case: Case, no_saturday: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["policy", "apply", no_saturday, "--open-cases", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "partner-services 2026.6: would re-pin (dry run, nothing changed) 1 open cases" in out
    assert (
        f"{friday_case.reference}: first_response 2026-03-17T17:00:00+00:00 → "
        "2026-03-18T14:00:00+00:00"
    ) in out
    friday_case.refresh_from_db()
    assert friday_case.policy_version.version == "2026.5"
    assert not PolicyVersion.objects.filter(version="2026.6").exists()
    assert not CaseEvent.objects.filter(kind=EventKind.POLICY).exists()


def test_apply_re_pins_the_open_case_with_an_event_and_new_clocks(
    friday_case: Case, no_saturday: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["policy", "apply", no_saturday, "--open-cases", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["applied"] is True
    (moved,) = report["cases"]
    first = next(d for d in moved["dues"] if d["clock"] == "first_response")
    assert (first["from"], first["to"]) == (
        "2026-03-17T17:00:00+00:00",
        "2026-03-18T14:00:00+00:00",
    )
    friday_case.refresh_from_db()
    assert friday_case.policy_version.version == "2026.6"
    assert first_due(friday_case) == dt.datetime(2026, 3, 18, 10, tzinfo=NY)
    assert friday_case.queue_due_at == dt.datetime(2026, 3, 18, 10, tzinfo=NY)
    (row,) = CaseEvent.objects.filter(case=friday_case, kind=EventKind.POLICY)
    entry = events.read(row)
    assert isinstance(entry, events.PolicyRepinned)
    assert (entry.policy, entry.before, entry.after) == ("partner-services", "2026.5", "2026.6")
    assert ("first_response", "2026-03-17T17:00:00+00:00", "2026-03-18T14:00:00+00:00") in (
        entry.dues
    )
    assert row.at == MONDAY and row.public is False


def test_applying_again_changes_nothing(
    friday_case: Case, no_saturday: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["policy", "apply", no_saturday, "--open-cases"]) == 0
    assert main(["policy", "apply", no_saturday, "--open-cases"]) == 0
    assert "re-pinned 0 open cases" in capsys.readouterr().out.splitlines()[-2]
    assert CaseEvent.objects.filter(kind=EventKind.POLICY).count() == 1


def test_resolved_cases_and_other_organisations_keep_their_version(
    friday_case: Case, organisation: Any, agent: Any, stranger: Any, other_organisation: Any
) -> None:
    earlier = MONDAY - dt.timedelta(hours=1)
    elsewhere = open_sev(stranger, other_organisation, severity=3, now=earlier)
    done = open_sev(agent, organisation, severity=3, now=earlier)
    Case.objects.filter(pk=done.pk).update(status=CaseStatus.RESOLVED)
    version = load_policy_version(text=no_saturday_text(), now=MONDAY).version
    slug = organisation.slug
    result = repin_open_cases(version=version, actor=None, organisation=slug, now=MONDAY)
    assert [p.reference for p in result.moved] == [friday_case.reference]
    for case in (done, elsewhere):
        case.refresh_from_db()
        assert case.policy_version.version == "2026.5"


def test_only_administrators_may_adopt(friday_case: Case, agent: Any) -> None:
    version = load_policy_version(text=no_saturday_text(), now=MONDAY).version
    with pytest.raises(Forbidden):
        repin_open_cases(version=version, actor=agent, now=MONDAY)


def test_a_bad_file_exits_2_before_touching_anything(
    friday_case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(no_saturday_text().replace("version: ", "versio: ", 1))
    assert main(["policy", "apply", str(bad), "--open-cases"]) == 2
    assert "version" in capsys.readouterr().err
    assert not CaseEvent.objects.filter(kind=EventKind.POLICY).exists()


def test_an_unknown_organisation_exits_2(
    friday_case: Case, no_saturday: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["policy", "apply", no_saturday, "--open-cases", "--org", "nobody"]) == 2
    assert "--org: no organisation 'nobody'" in capsys.readouterr().err


def test_apply_without_open_cases_is_refused(no_saturday: str) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["policy", "apply", no_saturday])
    assert exit_.value.code == 2
