"""`supportdesk macro|kb|csat ...`: JSON out, the same services, exit 2 on bad input."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from supportdesk.answers import services as answers
from supportdesk.cases.models import Case
from supportdesk.cli import main
from supportdesk.satisfaction.models import Survey
from tests.answers.conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Any:
    def call(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return call


def test_an_operator_applies_a_macro(run: Any, agent: Any, sev2_case: Case) -> None:
    macro = answers.create_macro(
        actor=agent,
        draft=answers.MacroDraft(name="Logs", body="Logs please", status="waiting_on_customer"),
        now=NOW,
    )
    code, out, _ = run("macro", "list", "--as", agent.username)
    assert code == 0
    assert [m["name"] for m in json.loads(out)] == ["Logs"]
    code, out, _ = run(
        "macro", "apply", str(macro.pk), "--case", sev2_case.reference, "--as", agent.username
    )
    assert code == 0
    assert json.loads(out)["status"] == "waiting_on_customer"


def test_a_customer_cannot_apply_a_macro(
    run: Any, agent: Any, customer: Any, sev2_case: Case
) -> None:
    macro = answers.create_macro(actor=agent, draft=answers.MacroDraft(name="x", body="y"), now=NOW)
    code, _, err = run(
        "macro", "apply", str(macro.pk), "--case", sev2_case.reference, "--as", customer.username
    )
    assert code == 2
    assert "macro_id" in err


def test_articles_are_imported_from_markdown_and_searched(
    run: Any, agent: Any, tmp_path: Path
) -> None:
    source = tmp_path / "exporting-arrivals.md"
    source.write_text("Open **Reports** and press Export.", encoding="utf-8")
    code, out, _ = run("kb", "import", str(source), "--public", "--as", agent.username)
    assert code == 0
    article = json.loads(out)
    assert (article["title"], article["visibility"]) == ("Exporting arrivals", "public")
    code, out, _ = run("kb", "search", "export", "arrivals")
    assert [a["slug"] for a in json.loads(out)] == [article["slug"]]
    code, _, err = run("kb", "import", str(tmp_path / "missing.md"), "--as", agent.username)
    assert code == 2
    assert "FILE" in err


def test_the_csat_report_prints_json_and_csv(
    run: Any, agent: Any, customer: Any, sev2_case: Case
) -> None:
    Survey.objects.create(
        case=sev2_case,
        requester=customer,
        organization=sev2_case.organization,
        region="na",
        agent=agent,
        sent_at=NOW,
        open_until=NOW + dt.timedelta(days=7),
        rating="bad",
        rated_at=NOW,
    )
    period = ("--from", "2026-03-01T00:00:00+00:00", "--to", "2026-04-01T00:00:00+00:00")
    code, out, _ = run("csat", "report", *period, "--by", "region")
    assert json.loads(out) == [{"key": "NA", "good": 0, "bad": 1, "total": 1, "score": 0.0}]
    code, out, _ = run("csat", "report", *period, "--csv")
    assert out.splitlines() == ["week,good,bad,ratings,good_percent", "2026-W11,0,1,1,0.0"]
    code, _, err = run("csat", "report", "--from", "2026-03-01")
    assert code == 2
    assert "--from" in err
