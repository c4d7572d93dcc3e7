"""The report figures for vendor staff (RSP-6, SEV-4, ESC-8): each a plain table of rows
over the cases the viewer may see, for a period and optionally one region.

A :class:`Period` is a half-open UTC interval ``[start, end)``; callers convert the
dates people pick in their own zone. Weeks start on Monday in the zone the caller names,
so a Monday-morning case in Sydney is not counted in the previous week.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Count, QuerySet

from supportdesk.accounts.models import User
from supportdesk.cases.models import Case, ClockState, SlaClock
from supportdesk.cases.selectors import cases_visible_to
from supportdesk.domain.lifecycle import CaseStatus
from supportdesk.escalations import selectors as escalation_selectors

#: First-response time buckets: (label, upper bound in seconds, exclusive); last is open.
RESPONSE_BUCKETS: tuple[tuple[str, int | None], ...] = (
    ("under 15m", 15 * 60),
    ("15m-1h", 3600),
    ("1-4h", 4 * 3600),
    ("4-8h", 8 * 3600),
    ("8-24h", 24 * 3600),
    ("over 24h", None),
)
#: Backlog age buckets, by days since the case was received.
AGE_BUCKETS: tuple[tuple[str, int | None], ...] = (
    ("under 1 day", 1),
    ("1-3 days", 3),
    ("3-7 days", 7),
    ("7-30 days", 30),
    ("over 30 days", None),
)
#: Sev1 time-to-downgrade buckets (SEV-4).
DOWNGRADE_BUCKETS: tuple[tuple[str, int | None], ...] = (
    ("under 1h", 3600),
    ("1-4h", 4 * 3600),
    ("4-24h", 24 * 3600),
    ("over 24h", None),
)
OPEN_EXCLUDED = (CaseStatus.RESOLVED, CaseStatus.CLOSED)


@dataclass(frozen=True)
class Period:
    start: dt.datetime
    end: dt.datetime
    region: str | None = None


def bucket(value: float, buckets: tuple[tuple[str, int | None], ...]) -> str:
    for name, upper in buckets:
        if upper is None or value < upper:
            return name
    return buckets[-1][0]


def received_cases(viewer: User, period: Period) -> QuerySet[Case]:
    """Cases received in the period (and region) that ``viewer`` may see."""
    qs = cases_visible_to(viewer).filter(received_at__gte=period.start, received_at__lt=period.end)
    return qs.filter(region=period.region) if period.region else qs


def received_by_severity(viewer: User, period: Period) -> dict[int, int]:
    rows = received_cases(viewer, period).values_list("severity").annotate(n=Count("id"))
    return dict(sorted(rows.order_by()))


@dataclass(frozen=True)
class ComplianceRow:
    week: dt.date
    severity: int
    met: int
    breached: int

    @property
    def decided(self) -> int:
        return self.met + self.breached

    @property
    def percent(self) -> float | None:
        return round(100 * self.met / self.decided, 1) if self.decided else None


def sla_compliance_by_week(
    viewer: User, period: Period, *, zone: ZoneInfo, kind: str = "first_response"
) -> list[ComplianceRow]:
    """RSP-6: per week received (Monday in ``zone``) and severity, how many ``kind``
    clocks were met and how many breached; running and paused clocks are not decided
    yet and count in neither. The severity is the clock's (the one its target is for)."""
    counts: dict[tuple[dt.date, int], Counter[str]] = defaultdict(Counter)
    clocks = SlaClock.objects.filter(
        case__in=received_cases(viewer, period),
        kind=kind,
        state__in=[ClockState.MET, ClockState.BREACHED],
    ).values_list("case__received_at", "severity", "state")
    for received_at, severity, state in clocks:
        local = received_at.astimezone(zone).date()
        week = local - dt.timedelta(days=local.weekday())
        counts[(week, severity)][state] += 1
    return [
        ComplianceRow(week=w, severity=s, met=c["met"], breached=c["breached"])
        for (w, s), c in sorted(counts.items())
    ]


def first_response_outcomes(viewer: User, period: Period) -> dict[int, dict[str, int]]:
    """Per severity, the first-response clocks of cases received in the period by state
    (met, breached, still running, paused)."""
    out: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        SlaClock.objects.filter(case__in=received_cases(viewer, period), kind="first_response")
        .values_list("severity", "state")
        .annotate(n=Count("id"))
        .order_by()
    )
    for severity, state, n in rows:
        out[severity][state] = n
    return dict(sorted(out.items()))


def first_response_distribution(viewer: User, period: Period) -> dict[int, Counter[str]]:
    """Per severity, how many first responses came within each :data:`RESPONSE_BUCKETS`
    span of wall-clock time after the case was received."""
    out: dict[int, Counter[str]] = defaultdict(Counter)
    rows = (
        received_cases(viewer, period)
        .exclude(first_response_at=None)
        .values_list("severity", "received_at", "first_response_at")
    )
    for severity, received_at, responded_at in rows:
        if responded_at is None:
            continue
        seconds = max((responded_at - received_at).total_seconds(), 0)
        out[severity][bucket(seconds, RESPONSE_BUCKETS)] += 1
    return dict(sorted(out.items()))


def backlog_by_severity_and_age(
    viewer: User, *, now: dt.datetime, region: str | None = None
) -> dict[int, Counter[str]]:
    """Open cases at ``now`` per severity and age bucket (days since received)."""
    qs = cases_visible_to(viewer).exclude(status__in=OPEN_EXCLUDED)
    if region:
        qs = qs.filter(region=region)
    out: dict[int, Counter[str]] = defaultdict(Counter)
    for severity, received_at in qs.values_list("severity", "received_at"):
        days = (now - received_at).total_seconds() / 86400
        out[severity][bucket(days, AGE_BUCKETS)] += 1
    return dict(sorted(out.items()))


@dataclass(frozen=True)
class DowngradeFigures:
    count: int
    median_seconds: float | None
    mean_seconds: float | None
    longest_seconds: int | None
    buckets: Counter[str]


def sev1_time_to_downgrade(viewer: User, period: Period) -> DowngradeFigures:
    """SEV-4: for cases received in the period that were Sev1 and then downgraded, the
    time from the first Sev1 to the first downgrade."""
    values = [
        v
        for v in received_cases(viewer, period)
        .exclude(time_to_downgrade_seconds=None)
        .values_list("time_to_downgrade_seconds", flat=True)
        if v is not None
    ]
    return DowngradeFigures(
        count=len(values),
        median_seconds=statistics.median(values) if values else None,
        mean_seconds=statistics.fmean(values) if values else None,
        longest_seconds=max(values) if values else None,
        buckets=Counter(bucket(v, DOWNGRADE_BUCKETS) for v in values),
    )


def escalations_by_outcome_and_region(period: Period) -> list[escalation_selectors.RegionStats]:
    """ESC-8: escalations requested in the period per region, with their outcomes."""
    return escalation_selectors.escalation_stats(
        start=period.start, end=period.end, region=period.region
    )


def open_by_status(viewer: User, *, region: str | None = None) -> dict[str, int]:
    qs = cases_visible_to(viewer).exclude(status__in=OPEN_EXCLUDED)
    if region:
        qs = qs.filter(region=region)
    return dict(qs.values_list("status").annotate(n=Count("id")).order_by())


def report_regions(viewer: User) -> list[str]:
    """The regions the viewer's cases are in, for the filter."""
    return sorted(
        {r for r in cases_visible_to(viewer).values_list("region", flat=True).distinct() if r}
    )
