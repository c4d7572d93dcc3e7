"""The answer-work report for vendor staff, for a period and region: customer
satisfaction (good and bad ratings per week, region and agent, with the comments),
the reports the knowledge base deflected, and the articles most linked from replies.
Each table has a CSV download (``?format=csv&table=<key>`` with the same filters).
"""

from __future__ import annotations

from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_GET

from supportdesk import clock
from supportdesk.console.charts import WIDTH, bar_chart
from supportdesk.console.forms import ReportFilterForm
from supportdesk.console.reports import PERIODS, Table, _csv, _period
from supportdesk.console.views import staff_only, user_of
from supportdesk.knowledge import selectors as kb
from supportdesk.reports import selectors as report_selectors
from supportdesk.reports.selectors import Period
from supportdesk.satisfaction import selectors as csat

_BY_TITLE = {
    "week": gettext_lazy("Satisfaction per week"),
    "region": gettext_lazy("Satisfaction per region"),
    "agent": gettext_lazy("Satisfaction per agent"),
}
_BY_COLUMN = {
    "week": gettext_lazy("Week"),
    "region": gettext_lazy("Region"),
    "agent": gettext_lazy("Agent"),
}


def _csat_table(period: Period, by: csat.Grouping) -> Table:
    rows = csat.csat_report(period.start, period.end, by=by, region=period.region)
    good, bad = pgettext("rating", "Good"), pgettext("rating", "Bad")
    chart = bar_chart(
        [(r.key, [(good, r.good, "p0"), (bad, r.bad, "p5")]) for r in rows],
        [("p0", good), ("p5", bad)],
    )
    return Table(
        key=f"csat_{by}",
        title=str(_BY_TITLE[by]),
        columns=[str(_BY_COLUMN[by]), good, bad, _("Ratings"), _("Good %")],
        rows=[[r.key, r.good, r.bad, r.total, r.score] for r in rows],
        chart=chart,
    )


def _comments_table(period: Period, zone: ZoneInfo) -> Table:
    surveys = csat.csat_comments(period.start, period.end, region=period.region)
    return Table(
        key="csat_comments",
        title=_("Satisfaction comments"),
        columns=[_("Case"), _("Rating"), _("Rated"), _("Region"), _("Agent"), _("Comment")],
        rows=[
            [
                s.case.reference,
                s.rating,
                s.rated_at.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z") if s.rated_at else "",
                s.region.upper(),
                s.agent.display_name if s.agent else "",
                s.comment,
            ]
            for s in surveys
        ],
    )


def _article_table(key: str, title: str, figures: list[kb.ArticleFigure], what: str) -> Table:
    return Table(
        key=key,
        title=title,
        columns=[_("Article"), what],
        rows=[[f.title, f.count] for f in figures],
        chart=bar_chart([(f.title[:40], [(what, f.count, "p2")]) for f in figures[:10]]),
    )


def build_tables(period: Period, zone: ZoneInfo) -> list[Table]:
    return [
        _csat_table(period, "week"),
        _csat_table(period, "region"),
        _csat_table(period, "agent"),
        _comments_table(period, zone),
        _article_table(
            "deflections",
            _("Reports deflected by an article"),
            kb.deflections_by_article(period.start, period.end),
            _("Deflections"),
        ),
        _article_table(
            "linked_articles",
            _("Articles most linked from replies"),
            kb.most_linked_articles(period.start, period.end),
            _("Replies"),
        ),
    ]


@staff_only
@require_GET
def answer_reports(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    zone = user.zone
    params = {k: v for k, v in request.GET.items() if k in ("start", "end", "region", "days")}
    form = ReportFilterForm(
        params or None, regions=report_selectors.report_regions(user), initial={"region": ""}
    )
    period = _period(form, request.GET.get("days", ""), zone, clock.now())
    tables = build_tables(period, zone)
    if request.GET.get("format") == "csv":
        table = next((t for t in tables if t.key == request.GET.get("table", "")), None)
        if table is None:
            raise Http404("no such report table")
        return _csv(table, period, zone)
    query = urlencode({k: v for k, v in params.items() if v})
    context = {
        "form": form,
        "periods": PERIODS,
        "tables": tables,
        "region": period.region,
        "csv_prefix": f"?{query}&" if query else "?",
        "width": WIDTH,
        "nav": "reports",
    }
    return render(
        request, "console/answer_reports.html", context, status=400 if form.errors else 200
    )
