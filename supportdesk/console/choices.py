"""The choices of the case page's selects: what a case may be downgraded to, planned
into or linked with."""

from __future__ import annotations

import datetime as dt

from supportdesk import clock
from supportdesk.cases import selectors
from supportdesk.cases.models import Case
from supportdesk.policies import selectors as policy_selectors


def lower_severities(case: Case) -> list[tuple[int, str]]:
    """The severities an unconfirmed emergency may be downgraded to (its policy's)."""
    policy = policy_selectors.parsed(case.policy_version)
    return [
        (s.level, f"Sev{s.level} {s.name}") for s in policy.severities if s.level > case.severity
    ]


def sprint_choices(case: Case | None = None) -> list[tuple[int, str]]:
    """Sprints a case can still be planned into: those not yet ended, and the one
    ``case`` is in (even if it ended, so the form shows where the case is). Labels are
    short, ``Sprint 2026-03-24 · 24 Mar–6 Apr``, so a narrow select shows them whole."""
    today = clock.now().date()
    sprints = list(selectors.sprints().filter(ends_on__gte=today)[:50])
    if case is not None and case.sprint is not None and case.sprint not in sprints:
        sprints.insert(0, case.sprint)
    return [(s.pk, f"{s.name} · {_day(s.starts_on)}–{_day(s.ends_on)}") for s in sprints]


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%b}"


def release_choices() -> list[tuple[int, str]]:
    return [
        (r.pk, r.version + (f" (planned {r.planned_for:%Y-%m-%d})" if r.planned_for else ""))
        for r in selectors.releases()[:100]
    ]
