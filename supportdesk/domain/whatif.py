"""What-if: a case history replayed under another policy (issue 22; RSP-1/2/6, SEV-4).

Before a vendor changes its hours or targets it asks: which past cases would have
breached, which would not, and how would the business time to first response move?
:func:`replay_case` computes one case's clocks under the version it was pinned to and
under the candidate, from the same events at the same ``now``; :func:`whatif_report`
groups the outcomes per severity (at receipt) and ISO week of receipt (UTC). Pure:
the caller loads the histories and decides what to do with the answer.

Percentiles use the nearest-rank definition: the p-th percentile of ``n`` values is
the smallest value with at least ``p`` % of the values at or below it (so it is always
one of the values); the median is the 50th percentile in that sense.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from supportdesk.domain.calendars import BusinessCalendar
from supportdesk.domain.policy.model import Policy, TargetKind
from supportdesk.domain.sla import CaseEvent, Received, sla_clocks


@dataclass(frozen=True, slots=True)
class Rules:
    """A policy with its built calendars (``build_calendars(policy.calendars)``)."""

    policy: Policy
    calendars: Mapping[str, BusinessCalendar]


@dataclass(frozen=True, slots=True)
class ReplayCase:
    """A case's reference, the version it is pinned to, and its SLA history."""

    reference: str
    pinned: str
    events: tuple[CaseEvent, ...]


@dataclass(frozen=True, slots=True)
class CaseOutcome:
    """One case under both policies. ``response_*``: business seconds from receipt to
    the first response on that policy's first-response clock (``None``: not answered
    yet, or no such target)."""

    reference: str
    severity: int
    week: str
    breached_pinned: bool
    breached_new: bool
    response_pinned: int | None
    response_new: int | None

    @property
    def flipped(self) -> bool:
        return self.breached_pinned != self.breached_new


@dataclass(frozen=True, slots=True)
class Flip:
    reference: str
    #: ``"breaches"``: met under the pinned version, breached under the new one;
    #: ``"recovers"``: the other way round.
    direction: str


@dataclass(frozen=True, slots=True)
class WeekRow:
    """The cases of one severity received in one ISO week, under both policies."""

    severity: int
    week: str
    cases: int
    breaches_pinned: int
    breaches_new: int
    flips: tuple[Flip, ...]
    median_pinned: int | None
    median_new: int | None
    p90_pinned: int | None
    p90_new: int | None


@dataclass(frozen=True, slots=True)
class WhatIfReport:
    rows: tuple[WeekRow, ...]

    @property
    def cases(self) -> int:
        return sum(r.cases for r in self.rows)

    @property
    def flips(self) -> tuple[Flip, ...]:
        return tuple(f for r in self.rows for f in r.flips)


def replay_case(case: ReplayCase, *, pinned: Rules, new: Rules, now: dt.datetime) -> CaseOutcome:
    """The case's clocks as of ``now`` under both policies; never changes anything."""
    received = next(e for e in case.events if isinstance(e, Received))
    before = _measure(pinned, case.events, now)
    after = _measure(new, case.events, now)
    year, week, _ = received.at.astimezone(dt.UTC).isocalendar()
    return CaseOutcome(
        reference=case.reference,
        severity=received.severity,
        week=f"{year}-W{week:02d}",
        breached_pinned=before[0],
        breached_new=after[0],
        response_pinned=before[1],
        response_new=after[1],
    )


def _measure(
    rules: Rules, events: Sequence[CaseEvent], now: dt.datetime
) -> tuple[bool, int | None]:
    clocks = sla_clocks(policy=rules.policy, calendars=rules.calendars, events=events, now=now)
    breached = any(c.breached for c in clocks)
    response = None
    for clock in clocks:
        if clock.kind is TargetKind.FIRST_RESPONSE and clock.met_at and clock.elapsed is not None:
            response = int(clock.elapsed.total_seconds())
    return breached, response


def replay_cases(
    cases: Iterable[ReplayCase],
    *,
    pinned: Mapping[str, Rules],
    new: Rules,
    now: dt.datetime,
    progress: Callable[[int], None] | None = None,
) -> list[CaseOutcome]:
    """:func:`replay_case` for each case, under the version each is pinned to
    (``pinned`` keyed like :attr:`ReplayCase.pinned`); ``progress(done)`` after each."""
    outcomes = []
    for done, case in enumerate(cases, start=1):
        outcomes.append(replay_case(case, pinned=pinned[case.pinned], new=new, now=now))
        if progress is not None:
            progress(done)
    return outcomes


def whatif_report(outcomes: Iterable[CaseOutcome]) -> WhatIfReport:
    """The outcomes per severity and week, in that order."""
    groups: dict[tuple[int, str], list[CaseOutcome]] = {}
    for outcome in outcomes:
        groups.setdefault((outcome.severity, outcome.week), []).append(outcome)
    rows = []
    for (severity, week), members in sorted(groups.items()):
        before = [o.response_pinned for o in members if o.response_pinned is not None]
        after = [o.response_new for o in members if o.response_new is not None]
        rows.append(
            WeekRow(
                severity=severity,
                week=week,
                cases=len(members),
                breaches_pinned=sum(o.breached_pinned for o in members),
                breaches_new=sum(o.breached_new for o in members),
                flips=tuple(
                    Flip(o.reference, "breaches" if o.breached_new else "recovers")
                    for o in members
                    if o.flipped
                ),
                median_pinned=percentile(before, 50),
                median_new=percentile(after, 50),
                p90_pinned=percentile(before, 90),
                p90_new=percentile(after, 90),
            )
        )
    return WhatIfReport(tuple(rows))


def percentile(values: Sequence[int], p: int) -> int | None:
    """The nearest-rank ``p``-th percentile (0 < p <= 100); ``None`` for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = math.ceil(p * len(ordered) / 100)
    return ordered[max(rank, 1) - 1]


def hours_text(seconds: int | None) -> str:
    """Business seconds as hours for people (``12.5h``; ``-`` for none)."""
    return "-" if seconds is None else f"{seconds / 3600:.1f}h"
