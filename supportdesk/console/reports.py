"""Reports for vendor staff, for a date range and region: cases received, SLA compliance
per severity per week (RSP-6), first-response times, the backlog by severity and age,
Sev1 time-to-downgrade (SEV-4) and, for managers, escalations by outcome and region.

The figures come from :mod:`supportdesk.reports.selectors`; this module only shapes them
into tables, each with a small server-drawn SVG chart (no chart library, nothing fetched
from elsewhere) and a CSV download (``?format=csv&table=<key>`` with the same filters).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from supportdesk import clock
from supportdesk.accounts.models import User
from supportdesk.console.charts import WIDTH, Chart, bar_chart
from supportdesk.console.forms import ReportFilterForm
from supportdesk.console.templatetags.desk import duration
from supportdesk.console.views import staff_only, user_of
from supportdesk.domain.lifecycle import CaseStatus
from supportdesk.domain.policy.model import TargetKind
from supportdesk.escalations import permissions as escalation_permissions
from supportdesk.escalations import selectors as escalation_selectors
from supportdesk.reports import selectors
from supportdesk.reports.selectors import Period
from supportdesk.terms import term

PERIODS = (7, 30, 90, 365)
#: Colour classes for the segments of an ordered scale (short to long, young to old).
SCALE = ("p0", "p1", "p2", "p3", "p4", "p5")
#: What the time buckets of ``reports.selectors`` are called on the page and in CSV.
BUCKET_NAMES = {
    "under 15m": gettext_lazy("under 15m"),
    "15m-1h": gettext_lazy("15m-1h"),
    "1-4h": gettext_lazy("1-4h"),
    "4-8h": gettext_lazy("4-8h"),
    "8-24h": gettext_lazy("8-24h"),
    "4-24h": gettext_lazy("4-24h"),
    "over 24h": gettext_lazy("over 24h"),
    "under 1h": gettext_lazy("under 1h"),
    "under 1 day": gettext_lazy("under 1 day"),
    "1-3 days": gettext_lazy("1-3 days"),
    "3-7 days": gettext_lazy("3-7 days"),
    "7-30 days": gettext_lazy("7-30 days"),
    "over 30 days": gettext_lazy("over 30 days"),
}


def bucket(name: str) -> str:
    return str(BUCKET_NAMES.get(name, name))


#: The states of a first-response clock, each named by ``supportdesk.terms`` when shown.
CLOCK_STATES = ("met", "breached", "running", "paused")


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list[object]]
    chart: Chart | None = None
    note: str = ""
    summary: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Headings may be lazy (module-level texts): the CSV writer wants plain strings.
        self.title = str(self.title)
        self.columns = [str(c) for c in self.columns]
        self.note = str(self.note)


def _period(form: ReportFilterForm, raw_days: str, zone: ZoneInfo, now: dt.datetime) -> Period:
    """Dates picked in the viewer's zone, both included, as a half-open UTC interval."""
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    today = now.astimezone(zone).date()
    days = int(raw_days) if raw_days.isdigit() and int(raw_days) in PERIODS else 30
    end_date = data.get("end") or today
    start_date = data.get("start") or end_date - dt.timedelta(days=days - 1)

    def midnight(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(), tzinfo=zone).astimezone(dt.UTC)

    return Period(
        start=midnight(start_date),
        end=midnight(end_date + dt.timedelta(days=1)),
        region=data.get("region") or None,
    )


def _scale_rows(
    per_severity: Mapping[int, Mapping[str, int]], buckets: tuple[tuple[str, int | None], ...]
) -> tuple[list[list[object]], Chart | None]:
    names = [name for name, _upper in buckets]
    rows: list[list[object]] = [
        [f"Sev{s}", *[counts.get(n, 0) for n in names], sum(counts.values())]
        for s, counts in per_severity.items()
    ]
    chart = bar_chart(
        [
            (f"Sev{s}", [(bucket(n), counts.get(n, 0), SCALE[i]) for i, n in enumerate(names)])
            for s, counts in per_severity.items()
        ],
        [(SCALE[i], bucket(n)) for i, n in enumerate(names)],
    )
    return rows, chart


@dataclass
class Report:
    tables: list[Table]
    received: int
    met: int
    breached: int

    @property
    def met_rate(self) -> int | None:
        decided = self.met + self.breached
        return round(100 * self.met / decided) if decided else None


def build_report(
    user: User,
    period: Period,
    *,
    zone: ZoneInfo,
    now: dt.datetime,
    target: str = TargetKind.FIRST_RESPONSE,
) -> Report:
    """Every report table the viewer may see, in page order, and the headline figures;
    compliance is for the SLA ``target`` kind."""
    received = selectors.received_by_severity(user, period)
    compliance = selectors.sla_compliance_by_week(user, period, zone=zone, kind=target)
    tables = [
        _received_table(received),
        _compliance_table(compliance, target),
        _outcomes_table(selectors.first_response_outcomes(user, period)),
        _first_response_times_table(selectors.first_response_distribution(user, period)),
        _backlog_table(selectors.backlog_by_severity_and_age(user, now=now, region=period.region)),
        _open_by_status_table(selectors.open_by_status(user, region=period.region)),
        _downgrade_table(selectors.sev1_time_to_downgrade(user, period)),
    ]
    if escalation_permissions.can_decide_escalation(user):
        tables.append(_escalations_table(selectors.escalations_by_outcome_and_region(period)))
    return Report(
        tables=tables,
        received=sum(received.values()),
        met=sum(r.met for r in compliance),
        breached=sum(r.breached for r in compliance),
    )


def _received_table(received: Mapping[int, int]) -> Table:
    return Table(
        key="received",
        title=_("Cases received by severity"),
        columns=[_("Severity"), _("Cases")],
        rows=[[f"Sev{s}", n] for s, n in received.items()],
        chart=bar_chart([(f"Sev{s}", [("received", n, f"sev-{s}")]) for s, n in received.items()]),
    )


def _compliance_table(compliance: Sequence[selectors.ComplianceRow], target: str) -> Table:
    weeks: dict[dt.date, list[int]] = {}
    for row in compliance:
        met, breached = weeks.setdefault(row.week, [0, 0])
        weeks[row.week] = [met + row.met, breached + row.breached]
    return Table(
        key="sla-compliance",
        title=_("SLA compliance (%(target)s) per severity per week")
        % {"target": term(target).lower()},
        columns=[_("Week of"), _("Severity"), _("Met"), _("Breached"), _("Compliance %")],
        rows=[
            [r.week.isoformat(), f"Sev{r.severity}", r.met, r.breached, r.percent]
            for r in compliance
        ],
        chart=bar_chart(
            [
                (_week_of(w), [("met", m, "seg-met"), ("breached", b, "seg-breached")])
                for w, (m, b) in sorted(weeks.items())
            ],
            [("seg-met", _("Met")), ("seg-breached", _("Breached"))],
        ),
        note=_(
            "Weeks start on Monday in your time zone; clocks still running or paused "
            "are not decided yet and count in neither column."
        ),
    )


def _outcomes_table(outcomes: Mapping[int, Mapping[str, int]]) -> Table:
    return Table(
        key="first-response-outcomes",
        title=_("First response by severity (all states)"),
        columns=[_("Severity"), *[term(k) for k in CLOCK_STATES]],
        rows=[
            [f"Sev{s}", *[counts.get(k, 0) for k in CLOCK_STATES]] for s, counts in outcomes.items()
        ],
        chart=bar_chart(
            [
                (f"Sev{s}", [(term(k), counts.get(k, 0), f"seg-{k}") for k in CLOCK_STATES])
                for s, counts in outcomes.items()
            ],
            [(f"seg-{k}", term(k)) for k in CLOCK_STATES],
        ),
    )


def _first_response_times_table(times: Mapping[int, Mapping[str, int]]) -> Table:
    rows, chart = _scale_rows(times, selectors.RESPONSE_BUCKETS)
    return Table(
        key="first-response-times",
        title=_("First-response time distribution"),
        columns=[_("Severity"), *[bucket(n) for n, _b in selectors.RESPONSE_BUCKETS], _("Total")],
        rows=rows,
        chart=chart,
        note=_("Wall-clock time from receipt to the first public response."),
    )


def _backlog_table(backlog: Mapping[int, Mapping[str, int]]) -> Table:
    rows, chart = _scale_rows(backlog, selectors.AGE_BUCKETS)
    return Table(
        key="backlog",
        title=_("Backlog by severity and age"),
        columns=[_("Severity"), *[bucket(n) for n, _b in selectors.AGE_BUCKETS], _("Total")],
        rows=rows,
        chart=chart,
        note=_("Open cases now, whatever the period; age since the case was received."),
    )


def _open_by_status_table(by_status: Mapping[str, int]) -> Table:
    status_rows = [
        (term(s.value), by_status[s.value]) for s in CaseStatus if by_status.get(s.value)
    ]
    return Table(
        key="open-by-status",
        title=_("Open cases by status"),
        columns=[_("Status"), _("Cases")],
        rows=[[label, n] for label, n in status_rows],
        chart=bar_chart([(label, [("open", n, "seg-open")]) for label, n in status_rows]),
    )


def _downgrade_table(downgrade: selectors.DowngradeFigures) -> Table:
    names = [n for n, _upper in selectors.DOWNGRADE_BUCKETS]
    return Table(
        key="sev1-downgrade",
        title=_("Sev1 time to downgrade"),
        columns=[_("Time to downgrade"), _("Cases")],
        rows=[[bucket(n), downgrade.buckets.get(n, 0)] for n in names],
        chart=bar_chart(
            [
                (bucket(n), [(bucket(n), downgrade.buckets.get(n, 0), SCALE[i])])
                for i, n in enumerate(names)
            ]
        ),
        summary=[
            (_("Downgraded Sev1 cases"), str(downgrade.count)),
            (_("Median"), duration(downgrade.median_seconds) or "—"),
            (_("Mean"), duration(downgrade.mean_seconds) or "—"),
            (_("Longest"), duration(downgrade.longest_seconds) or "—"),
        ],
        note=_("SEV-4: from the first Sev1 to the first downgrade, cases received in the period."),
    )


def _escalations_table(stats: Sequence[escalation_selectors.RegionStats]) -> Table:
    keys = sorted({k for r in stats for k in r.outcomes})
    return Table(
        key="escalations",
        title=_("Escalations by outcome and region"),
        columns=[
            _("Region"),
            _("Requested"),
            *[_outcome_label(k) for k in keys],
            _("Median to acknowledge"),
            _("Median to close"),
        ],
        rows=[
            [
                r.region.upper(),
                r.requested,
                *[r.outcomes.get(k, 0) for k in keys],
                duration(r.median_seconds_to_acknowledge),
                duration(r.median_seconds_to_close),
            ]
            for r in stats
        ],
        chart=bar_chart(
            [
                (
                    r.region.upper(),
                    [
                        (_outcome_label(k), r.outcomes.get(k, 0), f"o{i % 8}")
                        for i, k in enumerate(keys)
                    ],
                )
                for r in stats
            ],
            [(f"o{i % 8}", _outcome_label(k)) for i, k in enumerate(keys)],
        ),
        note=_("Escalations requested in the period, by the region that handles them."),
    )


def _outcome_label(key: str) -> str:
    status, _sep, reason = key.partition(":")
    if reason:  # the policy's closure reason key, shown as the policy names it
        return _("Closed (%(reason)s)") % {"reason": reason.replace("_", " ")}
    return term(status)


def _week_of(monday: dt.date) -> str:
    # Translators: a Django date format for a day and its month (Swedish "j b": 30 nov).
    day = date_format(monday, pgettext("day and month format", "j M"))
    return _("Week of %(day)s") % {"day": day}


def _csv(table: Table, period: Period, zone: ZoneInfo) -> HttpResponse:
    first = period.start.astimezone(zone).date()
    last = (period.end.astimezone(zone) - dt.timedelta(days=1)).date()
    name = f"supportdesk-{table.key}-{first}-{last}{'-' + period.region if period.region else ''}"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow(["" if v is None else v for v in row])
    return response


@staff_only
def reports(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    zone = user.zone
    now = clock.now()
    params = {
        k: v for k, v in request.GET.items() if k in ("start", "end", "region", "target", "days")
    }
    form = ReportFilterForm(
        params or None, regions=selectors.report_regions(user), initial={"region": ""}
    )
    period = _period(form, request.GET.get("days", ""), zone, now)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    target = data.get("target") or TargetKind.FIRST_RESPONSE
    report = build_report(user, period, zone=zone, now=now, target=target)
    if request.GET.get("format") == "csv":
        wanted = request.GET.get("table", "")
        table = next((t for t in report.tables if t.key == wanted), None)
        if table is None:
            raise Http404("no such report table")
        return _csv(table, period, zone)
    query = urlencode({k: v for k, v in params.items() if v})
    return render(
        request,
        "console/reports.html",
        {
            "form": form,
            "periods": PERIODS,
            "first_day": period.start.astimezone(zone).date(),
            "last_day": (period.end.astimezone(zone) - dt.timedelta(days=1)).date(),
            "region": period.region,
            "target_name": term(target).lower(),
            "region_query": urlencode({"region": period.region}) if period.region else "",
            "report": report,
            "query": query,
            "csv_prefix": f"?{query}&" if query else "?",
            "width": WIDTH,
            "nav": "reports",
        },
        status=400 if form.errors else 200,
    )
