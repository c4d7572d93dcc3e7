"""Reports for vendor staff: cases received, first-response SLA outcomes (RSP-6),
open work by status, Sev1 time-to-downgrade (SEV-4) and escalation figures, with small
server-drawn SVG charts (no chart library, nothing fetched from elsewhere)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from supportdesk import clock
from supportdesk.cases import selectors
from supportdesk.console.views import staff_only, user_of
from supportdesk.domain.lifecycle import CaseStatus
from supportdesk.escalations import selectors as escalation_selectors

PERIODS = (7, 30, 90, 365)
#: Chart geometry, in SVG user units.
WIDTH, BAR_AREA, LABEL_WIDTH, ROW = 360, 165, 150, 28


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    value: int
    css: str
    label: str


@dataclass(frozen=True)
class Bar:
    label: str
    y: float
    total: int
    segments: list[Segment]


@dataclass(frozen=True)
class Chart:
    """A horizontal (stacked) bar chart; ``legend`` names each segment's class."""

    title: str
    bars: list[Bar]
    height: float
    legend: list[tuple[str, str]]


def bar_chart(
    title: str, rows: list[tuple[str, list[tuple[str, int, str]]]], legend: list[tuple[str, str]]
) -> Chart:
    """``rows``: (bar label, [(segment label, value, css class), ...]) in display order."""
    biggest = max((sum(v for _l, v, _c in segs) for _lbl, segs in rows), default=0) or 1
    bars = []
    for i, (label, segs) in enumerate(rows):
        x = float(LABEL_WIDTH)
        out = []
        for seg_label, value, css in segs:
            width = BAR_AREA * value / biggest
            out.append(Segment(x=x, width=width, value=value, css=css, label=seg_label))
            x += width
        bars.append(Bar(label=label, y=i * ROW + 6, total=sum(s.value for s in out), segments=out))
    return Chart(title=title, bars=bars, height=len(rows) * ROW + 12, legend=legend)


@staff_only
def reports(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    raw = request.GET.get("days", "30")
    days = int(raw) if raw.isdigit() and int(raw) in PERIODS else 30
    now = clock.now()
    since = now - dt.timedelta(days=days)
    received = selectors.cases_visible_to(user).filter(received_at__gte=since)

    by_severity = dict(received.values_list("severity").annotate(n=Count("id")).order_by())
    severities = sorted(by_severity)
    received_chart = bar_chart(
        "Cases received by severity",
        [(f"Sev{s}", [("received", by_severity[s], f"sev-{s}")]) for s in severities],
        [],
    )

    outcomes: dict[int, dict[str, int]] = defaultdict(dict)
    for severity, state, n in (
        received.filter(clocks__kind="first_response")
        .values_list("clocks__severity", "clocks__state")
        .annotate(n=Count("id"))
        .order_by()
    ):
        outcomes[severity][state] = n
    states = [
        ("met", "Met"),
        ("breached", "Breached"),
        ("running", "Running"),
        ("paused", "Paused"),
    ]
    sla_chart = bar_chart(
        "First response by severity",
        [
            (f"Sev{s}", [(name, outcomes[s].get(key, 0), f"seg-{key}") for key, name in states])
            for s in sorted(outcomes)
            if any(outcomes[s].get(key) for key, _name in states)
        ],
        [(f"seg-{key}", name) for key, name in states],
    )
    met = sum(o.get("met", 0) for o in outcomes.values())
    breached = sum(o.get("breached", 0) for o in outcomes.values())

    open_cases = selectors.cases_visible_to(user).exclude(
        status__in=[CaseStatus.RESOLVED, CaseStatus.CLOSED]
    )
    by_status = dict(open_cases.values_list("status").annotate(n=Count("id")).order_by())
    status_chart = bar_chart(
        "Open cases by status",
        [
            (s.value.replace("_", " ").capitalize(), [("open", by_status[s.value], "seg-open")])
            for s in CaseStatus
            if by_status.get(s.value)
        ],
        [],
    )
    downgrades = [
        s
        for s in received.exclude(time_to_downgrade_seconds=None).values_list(
            "time_to_downgrade_seconds", flat=True
        )
        if s is not None
    ]
    escalations = (
        escalation_selectors.escalation_stats(start=since, end=now)
        if escalation_selectors.may_decide(user)
        else None
    )
    return render(
        request,
        "console/reports.html",
        {
            "days": days,
            "periods": PERIODS,
            "since": since,
            "charts": [received_chart, sla_chart, status_chart],
            "total_received": sum(by_severity.values()),
            "met": met,
            "breached": breached,
            "met_rate": round(100 * met / (met + breached)) if met + breached else None,
            "downgrade_median": statistics.median(downgrades) if downgrades else None,
            "downgrade_count": len(downgrades),
            "escalations": escalations,
            "width": WIDTH,
            "nav": "reports",
        },
    )
