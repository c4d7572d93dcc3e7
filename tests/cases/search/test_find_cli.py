"""``supportdesk search`` and ``supportdesk merge``."""

from __future__ import annotations

import json
from typing import Any

import pytest

from supportdesk.cases.models import Case
from supportdesk.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else None), err


def test_search_as_a_customer_finds_public_words_only(
    capsys: pytest.CaptureFixture[str], corpus: dict[str, Case], customer: Any
) -> None:
    code, body, _ = run(capsys, "search", "marmalade", "--as", customer.username)
    assert code == 0 and [c["id"] for c in body["items"]] == [corpus["booking"].pk]
    code, body, _ = run(capsys, "search", "quokka", "--as", customer.username)
    assert code == 0 and body["items"] == []


def test_a_bad_search_exits_2_naming_q(capsys: pytest.CaptureFixture[str], customer: Any) -> None:
    code, _, err = run(capsys, "search", "--as", customer.username, "--", "-only")
    assert code == 2 and "q:" in err


def test_reindex_and_merge(
    capsys: pytest.CaptureFixture[str], corpus: dict[str, Case], agent: Any
) -> None:
    code, body, _ = run(capsys, "search", "--reindex")
    assert code == 0 and body["indexed"] == 3
    booking, rates = corpus["booking"], corpus["rates"]
    booking.refresh_from_db()
    rates.refresh_from_db()
    code, body, _ = run(
        capsys, "merge", str(rates.reference), str(booking.reference), "--as", agent.username
    )
    assert code == 0 and body == {"merged": rates.reference, "into": booking.reference}
