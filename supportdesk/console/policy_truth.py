"""Console pages of issue 22: a case's deadlines explained, the difference between two
versions of a policy, and a what-if replay of past cases under another version.
Thin: each reads through a selector and hands the work to the domain."""

from __future__ import annotations

import csv
import datetime as dt

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from supportdesk import clock
from supportdesk.accounts.permissions import NotFound, visible_organisations
from supportdesk.cases import selectors
from supportdesk.cases.clocks import calendars_of
from supportdesk.cases.policy_truth import explain_case, replay_set, replay_whatif
from supportdesk.console.charts import WIDTH, bar_chart
from supportdesk.console.views import staff_only, user_of
from supportdesk.domain.policy.diff import diff_policies
from supportdesk.domain.sla.explain_text import explanation_data
from supportdesk.domain.whatif import Rules, WeekRow, WhatIfReport, hours_text, whatif_report
from supportdesk.policies import selectors as policy_selectors
from supportdesk.policies.models import Policy, PolicyVersion
from supportdesk.policies.permissions import can_adopt_version

#: The longest range a what-if replays in a page request; longer ones belong to the CLI.
MAX_WHATIF_DAYS = 92


@staff_only
def case_deadlines(request: HttpRequest, case_id: int) -> HttpResponse:
    """Why each deadline of the case is when it is (the agents' register)."""
    try:
        case = selectors.access_case(user_of(request), case_id)
    except NotFound:
        raise Http404("case not found") from None
    explained = explanation_data(explain_case(case, now=clock.now()))
    return render(request, "console/case_deadlines.html", {"case": case, "explained": explained})


def _policy(request: HttpRequest) -> Policy:
    """The asked policy (``?policy=<key>``, else the first), among those of the
    organisations the viewer serves: like the policy page, 404 for any other."""
    served: set[int] = set()
    for organisation in visible_organisations(user_of(request)):
        try:
            served.add(policy_selectors.current_version_for(organisation).policy_id)
        except policy_selectors.NoPolicy:
            continue
    rows = Policy.objects.select_related("current_version").filter(pk__in=served)
    key = request.GET.get("policy", "")
    found = rows.filter(key=key).first() if key else rows.order_by("key").first()
    if found is None:
        raise Http404("no such policy")
    return found


@staff_only
def policy_diff(request: HttpRequest) -> HttpResponse:
    """The active version of a policy against any earlier one (``?against=<id>``)."""
    policy = _policy(request)
    current = policy.current_version
    assert current is not None
    versions = PolicyVersion.objects.filter(policy=policy).defer("source").order_by("-loaded_at")
    page = Paginator(versions, 20).get_page(request.GET.get("page"))
    against = versions.filter(pk=request.GET.get("against") or 0).first()
    changes = None
    if against is not None:
        year = clock.now().year
        changes = diff_policies(
            policy_selectors.parsed(against),
            policy_selectors.parsed(current),
            years=(year, year + 1),
        )
    context = {
        "policy": policy,
        "current": current,
        "page": page,
        "against": against,
        "changes": changes,
        "can_adopt": can_adopt_version(user_of(request)),
        "nav": "policy",
    }
    return render(request, "console/policy_diff.html", context)


class WhatIfForm(forms.Form):
    version = forms.ModelChoiceField(
        queryset=PolicyVersion.objects.none(), label=_("Candidate version")
    )
    start = forms.DateField(label=_("Received from"))
    end = forms.DateField(label=_("Received to"))
    organisation = forms.SlugField(label=_("Organisation (slug)"), required=False)

    def __init__(self, *args: object, policy: Policy, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["version"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = PolicyVersion.objects.filter(policy=policy).defer("source")

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if isinstance(start, dt.date) and isinstance(end, dt.date):
            if end < start:
                self.add_error("end", _("must not be before the start"))
            elif (end - start).days >= MAX_WHATIF_DAYS:
                self.add_error("end", _("at most 92 days here; use supportdesk policy whatif"))
        return data


@staff_only
def policy_whatif(request: HttpRequest) -> HttpResponse:
    """Past cases replayed under a stored version of the policy (read-only)."""
    policy = _policy(request)
    form = WhatIfForm(request.GET if "version" in request.GET else None, policy=policy)
    report, chart = None, None
    if form.is_bound and form.is_valid():
        version = form.cleaned_data["version"]
        since = dt.datetime.combine(form.cleaned_data["start"], dt.time(), tzinfo=dt.UTC)
        until = dt.datetime.combine(form.cleaned_data["end"], dt.time(), tzinfo=dt.UTC)
        found = replay_set(
            since=since,
            until=until + dt.timedelta(days=1),
            organisation=form.cleaned_data["organisation"] or None,
        )
        candidate = policy_selectors.parsed(version)
        outcomes = replay_whatif(
            found, new=Rules(candidate, calendars_of(version)), now=clock.now()
        )
        report = whatif_report(outcomes)
        if request.GET.get("format") == "csv":
            return _whatif_csv(report, f"{policy.key}-{version.version}", form.cleaned_data)
        chart = bar_chart(
            [
                (
                    f"Sev{row.severity} {row.week}",
                    [
                        (
                            str(_("breached under both")),
                            min(row.breaches_pinned, row.breaches_new),
                            "p4",
                        ),
                        (str(_("breaches only under the candidate")), _only(row, new=True), "p5"),
                        (str(_("breaches only under the pinned")), _only(row, new=False), "p1"),
                    ],
                )
                for row in report.rows
            ],
            legend=[
                ("p4", str(_("breached under both"))),
                ("p5", str(_("breaches only under the candidate"))),
                ("p1", str(_("breaches only under the pinned"))),
            ],
        )
    csv_query = request.GET.copy()
    csv_query["format"] = "csv"
    context = {
        "policy": policy,
        "form": form,
        "report": report,
        "rows": _shown_rows(report) if report else [],
        "csv_query": csv_query.urlencode(),
        "chart": chart,
        "width": WIDTH,
        "nav": "policy",
    }
    return render(
        request, "console/policy_whatif.html", context, status=400 if form.errors else 200
    )


def _only(row: WeekRow, *, new: bool) -> int:
    """Cases of the row breached under one policy only (the flips one way)."""
    wanted = "breaches" if new else "recovers"
    return sum(1 for f in row.flips if f.direction == wanted)


def _shown_rows(report: WhatIfReport) -> list[dict[str, object]]:
    """The report's rows with business times in hours, as the CLI prints them."""
    return [
        {
            "row": r,
            "median": f"{hours_text(r.median_pinned)} → {hours_text(r.median_new)}",
            "p90": f"{hours_text(r.p90_pinned)} → {hours_text(r.p90_new)}",
        }
        for r in report.rows
    ]


#: The CSV's columns: business times in hours (decimal), flips as "reference:direction".
CSV_COLUMNS = (
    "severity", "week", "cases", "breaches_pinned", "breaches_candidate",
    "median_hours_pinned", "median_hours_candidate", "p90_hours_pinned", "p90_hours_candidate",
    "flipped",
)  # fmt: skip


def _whatif_csv(report: WhatIfReport, name: str, data: dict[str, object]) -> HttpResponse:
    """The report as a CSV download, one row per severity and week."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"supportdesk-whatif-{name}-{data['start']}-{data['end']}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for r in report.rows:
        times = (r.median_pinned, r.median_new, r.p90_pinned, r.p90_new)
        writer.writerow(
            [r.severity, r.week, r.cases, r.breaches_pinned, r.breaches_new]
            + ["" if t is None else round(t / 3600, 2) for t in times]
            + [" ".join(f"{f.reference}:{f.direction}" for f in r.flips)]
        )
    return response
