"""A policy file's problems reach people in their language (web.policy_reasons): every
reason the loader can write is known to the table, and the key paths stay as written."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml
from django.utils import translation

from supportdesk.domain.errors import PolicyError
from supportdesk.domain.policy import load_policy_text
from supportdesk.web.policy_reasons import FIXED, VALUED, translated_problem

LOADER = Path(__file__).resolve().parents[2] / "supportdesk" / "domain" / "policy"
ROOT = Path(__file__).resolve().parents[2]


def _examples() -> list[str]:
    """Each reason ``domain.policy`` passes to ``Reader.fail`` or ``Problem``, its
    values filled with a sample (quoted where the loader quotes with ``!r``)."""
    found = []
    for path in sorted(LOADER.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call) or len(node.args) < 2:
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name not in {"fail", "Problem"}:
                continue
            reason = node.args[1]
            if isinstance(reason, ast.IfExp):
                found += [
                    b.value for b in (reason.body, reason.orelse) if isinstance(b, ast.Constant)
                ]
            elif isinstance(reason, ast.Constant):
                found.append(reason.value)
            elif isinstance(reason, ast.JoinedStr):
                text = ""
                for part in reason.values:
                    if isinstance(part, ast.Constant):
                        text += part.value
                    else:
                        assert isinstance(part, ast.FormattedValue)
                        text += "'x7'" if part.conversion == ord("r") else "x7"
                found.append(text)
    return found


@pytest.mark.parametrize("reason", _examples())
def test_every_reason_the_loader_writes_is_known(reason: str) -> None:
    assert reason in FIXED or any(p.fullmatch(reason) for p, _words in VALUED)


@pytest.mark.parametrize(("pattern", "words"), VALUED)
def test_each_pattern_matches_its_own_english(pattern: re.Pattern[str], words: str) -> None:
    names = re.findall(r"%\((\w+)\)s", words)
    example = words % dict.fromkeys(names, "'x7'")
    assert pattern.fullmatch(example)
    with translation.override("sv"):
        assert translated_problem(example) != example
        assert "'x7'" in translated_problem(example)


def test_a_broken_policy_is_explained_in_swedish_with_its_key_paths_as_written() -> None:
    data = yaml.safe_load((ROOT / "policies" / "follow-the-sun.yaml").read_text())
    data["sla"]["warnings"] = [2]
    data["surprise"] = True
    with pytest.raises(PolicyError) as caught:
        load_policy_text(yaml.safe_dump(data))
    problems = {p.path: p.reason for p in caught.value.problems}
    with translation.override("sv"):
        shown = {path: translated_problem(reason) for path, reason in problems.items()}
    assert shown["sla.warnings[0]"] == "måste vara ett bråktal mellan 0 och 1, som 0.75"
    assert shown["surprise"].startswith("okänd nyckel (förväntade en av: ")
