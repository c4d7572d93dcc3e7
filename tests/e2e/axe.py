"""axe-core in the browser: the vendored ``vendor/axe.min.js`` (never fetched at run time)
injected into a page and run; its serious and critical violations returned as lines a
failure message can list.

The page's context must be made with ``bypass_csp=True``: the site's Content-Security-
Policy rightly refuses an injected script, and axe needs one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
#: The impacts that fail the check (issue #23: "0 serious or critical violations").
FAILING = frozenset({"serious", "critical"})
# Only violations are collected (passes and incomplete results cost time and are not
# read); the rule set is axe's default: WCAG 2.x A/AA plus best practices.
_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map(n => n.target.join(' ')),
  }));
}"""


@dataclass(frozen=True)
class Violation:
    page: str
    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]

    def __str__(self) -> str:
        shown = ", ".join(self.targets[:5]) + (" …" if len(self.targets) > 5 else "")
        return f"{self.page}: [{self.impact}] {self.rule} ({self.help}) at {shown}"


def violations(page: Any, label: str) -> list[Violation]:
    """The serious and critical axe violations on ``page`` as it stands now; ``label``
    names the page in the report (its path, or the path and the state it is in)."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE_JS))
    found = page.evaluate(_RUN)
    return [
        Violation(label, v["id"], v["impact"], v["help"], tuple(v["targets"]))
        for v in found
        if v["impact"] in FAILING
    ]


def report(found: list[Violation]) -> str:
    return f"{len(found)} serious or critical axe violation(s):\n" + "\n".join(map(str, found))
