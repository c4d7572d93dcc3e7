"""Coverage gaps (HRS-3): when no region calendar of a policy is open, per ISO week.

Together the regions of a follow-the-sun policy do not cover 24 hours, and the gap
moves while the US and EU daylight-saving dates differ (docs/routing.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from supportdesk.domain.calendars import BusinessCalendar
from supportdesk.domain.errors import DomainError
from supportdesk.domain.policy.model import Policy
from supportdesk.domain.routing.regions import region_calendar, require_aware

UTC = dt.UTC


@dataclass(frozen=True, slots=True)
class CoverageGap:
    """An interval [start, end) (aware UTC) when no region calendar is open (HRS-3)."""

    start: dt.datetime
    end: dt.datetime

    @property
    def duration(self) -> dt.timedelta:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class WeekCoverage:
    """The coverage gaps of one ISO week, cut at the week's bounds (Monday 00:00 UTC)."""

    iso_year: int
    week: int
    start: dt.datetime
    end: dt.datetime
    gaps: tuple[CoverageGap, ...]

    @property
    def label(self) -> str:
        return f"{self.iso_year}-W{self.week:02d}"

    @property
    def uncovered(self) -> dt.timedelta:
        return sum((g.duration for g in self.gaps), dt.timedelta(0))


def coverage_gaps(
    *,
    policy: Policy,
    calendars: Mapping[str, BusinessCalendar],
    start: dt.datetime,
    end: dt.datetime,
) -> tuple[CoverageGap, ...]:
    """The intervals within [start, end) when no region calendar of ``policy`` is open.

    Sorted, disjoint, clipped to [start, end), in UTC. Empty when ``end <= start``.
    Holidays count: a region closed for a holiday leaves its hours uncovered unless
    another region is open.
    """
    require_aware(start, "start")
    require_aware(end, "end")
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        return ()
    spans = sorted(
        span
        for region in policy.regions
        for span in region_calendar(calendars, region).open_intervals(start, end)
    )
    gaps: list[CoverageGap] = []
    cursor = start
    for lo, hi in spans:
        if lo > cursor:
            gaps.append(CoverageGap(cursor, lo))
        cursor = max(cursor, hi)
    if cursor < end:
        gaps.append(CoverageGap(cursor, end))
    return tuple(gaps)


def weekly_coverage(
    *, policy: Policy, calendars: Mapping[str, BusinessCalendar], year: int
) -> tuple[WeekCoverage, ...]:
    """The coverage gaps of every ISO week of ISO ``year``, week by week (HRS-3).

    Weeks run Monday 00:00 UTC to the next Monday 00:00 UTC; a gap crossing that
    boundary (a weekend) is cut in two. The gap moves during the weeks when the US and
    EU daylight-saving dates differ.
    """
    try:
        first = dt.date.fromisocalendar(year, 1, 1)
        stop = dt.date.fromisocalendar(year + 1, 1, 1)
    except ValueError as exc:
        raise DomainError(f"year {year} is out of range", field="year") from exc
    lo = dt.datetime.combine(first, dt.time(), UTC)
    hi = dt.datetime.combine(stop, dt.time(), UTC)
    gaps = coverage_gaps(policy=policy, calendars=calendars, start=lo, end=hi)
    weeks: list[WeekCoverage] = []
    week_start = lo
    i = 0
    while week_start < hi:
        week_end = week_start + dt.timedelta(days=7)
        pieces: list[CoverageGap] = []
        while i < len(gaps) and gaps[i].start < week_end:
            g = gaps[i]
            pieces.append(CoverageGap(max(g.start, week_start), min(g.end, week_end)))
            if g.end <= week_end:
                i += 1
            else:
                break
        iso = week_start.date().isocalendar()
        weeks.append(WeekCoverage(iso.year, iso.week, week_start, week_end, tuple(pieces)))
        week_start = week_end
    return tuple(weeks)
