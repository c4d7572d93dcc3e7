"""Planning pages for vendor staff: the sprint board (PRI-1: cases grouped by sprint, the
current sprint first), planning a case into a sprint, the daily branding/setup review list (RSP-4), and linking the
release that carries a case's permanent fix (RSP-5)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.db.models import Case as DbCase
from django.db.models import Count, Expression, IntegerField, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from supportdesk import clock
from supportdesk.accounts.models import Team, TeamKind, User
from supportdesk.cases import selectors, services
from supportdesk.cases.clocks import show_clocks
from supportdesk.cases.models import Case, Sprint
from supportdesk.console.choices import release_choices, sprint_choices
from supportdesk.console.forms import ReleaseLinkForm, SprintForm, SprintPlanForm
from supportdesk.console.views import (
    case_action,
    running_clock,
    staff_only,
    user_of,
)
from supportdesk.domain.errors import DomainError
from supportdesk.domain.lifecycle import CaseStatus
from supportdesk.web.paging import keyset_page

CLOSED = (CaseStatus.RESOLVED, CaseStatus.CLOSED)
#: Planned cases per page of the sprint board.
PAGE_SIZE = 50
#: The board's order: by its sprints' order (``sprint_rank``), then the queue's.
SPRINT_BOARD_ORDER = ("sprint_rank", *selectors.QUEUE_ORDER)


def _rows(cases: list[Case]) -> list[dict[str, Any]]:
    show_clocks(cases, now=clock.now())
    return [{"case": c, "clock": running_clock(c)} for c in cases]


def _sprint_rank(sprints: list[Sprint]) -> Expression:
    """Each case's sprint's place among ``sprints`` (the board's order) as a column."""
    if not sprints:
        return Value(0)
    places = [When(sprint_id=s.pk, then=Value(i)) for i, s in enumerate(sprints)]
    return DbCase(*places, default=Value(len(sprints)), output_field=IntegerField())


def _team_choices() -> list[tuple[int, str]]:
    """PRI-1: the development (engineering) teams a sprint may belong to."""
    return [(t.pk, t.name) for t in Team.objects.filter(kind=TeamKind.ENGINEERING)]


def _sprint_order(sprint: Sprint, today: Any) -> tuple[int, Any]:
    """Current first, then upcoming (soonest first), then past (latest first)."""
    if sprint.starts_on <= today <= sprint.ends_on:
        return (0, 0)
    if sprint.starts_on > today:
        return (1, sprint.starts_on.toordinal())
    return (2, -sprint.ends_on.toordinal())


def _plan_sprint(request: HttpRequest, user: User, form: SprintForm) -> HttpResponse | None:
    """Create the sprint of the valid ``form``: the redirect back to the board, or
    ``None`` with the service's refusal put on the form."""
    data = form.cleaned_data
    try:
        sprint = services.create_sprint(
            actor=user,
            name=data["name"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            team_id=data["team"],
        )
    except DomainError as exc:
        form.add_domain_error(exc)
        return None
    messages.success(request, _("%(sprint)s planned.") % {"sprint": sprint.name})
    return redirect("console:sprints")


def _sprint_groups(
    sprints: list[Sprint],
    rows: Sequence[Case],
    counts: dict[int, int],
    *,
    first_page: bool,
    today: dt.date,
) -> list[dict[str, Any]]:
    """A page's ``rows`` grouped under their sprints, in the board's order; ``counts``:
    each sprint's planned cases on the whole board, not only this page."""
    by_sprint: dict[int, list[Case]] = {}
    for case in rows:
        assert case.sprint_id is not None
        by_sprint.setdefault(case.sprint_id, []).append(case)
    return [
        {
            "sprint": s,
            "current": s.starts_on <= today <= s.ends_on,
            "rows": _rows(by_sprint.get(s.pk, [])),
            "count": counts.get(s.pk, 0),
        }
        for s in sprints
        # A sprint with nothing planned yet (current or to come) on the first page.
        if by_sprint.get(s.pk) or (first_page and not counts.get(s.pk) and s.ends_on >= today)
    ]


@staff_only
@require_http_methods(["GET", "POST"])
def sprint_board(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    form = SprintForm(request.POST or None, teams=_team_choices())
    if request.method == "POST" and form.is_valid():
        planned = _plan_sprint(request, user, form)
        if planned is not None:
            return planned
    today = clock.now().date()
    show_done = request.GET.get("done") == "1"
    sprints = sorted(selectors.sprints(), key=lambda s: _sprint_order(s, today))
    cases = selectors.case_queue(user).exclude(sprint=None)
    if not show_done:
        cases = cases.exclude(status__in=CLOSED)
    # Paged in the board's order (its sprints' order, then the queue's within each), so
    # a page's rows fall into the same groups as the whole board's would.
    ranked = cases.annotate(sprint_rank=_sprint_rank(sprints))
    page = keyset_page(ranked, params=request.GET, order=SPRINT_BOARD_ORDER, size=PAGE_SIZE)
    counts = dict(
        cases.order_by().values("sprint").annotate(n=Count("pk")).values_list("sprint", "n")
    )
    groups = _sprint_groups(
        sprints, page.rows, counts, first_page=page.previous_query is None, today=today
    )
    unplanned = selectors.case_queue(user, selectors.QueueFilter(open_only=True)).filter(
        sprint=None
    )
    return render(
        request,
        "console/sprints.html",
        {
            "groups": groups,
            "page": page,
            "unplanned": unplanned.count(),
            "show_done": show_done,
            "form": form,
            "nav": "sprints",
        },
        status=400 if form.errors else 200,
    )


@staff_only
def daily_review(request: HttpRequest) -> HttpResponse:
    """RSP-4: open branding and setup requests, oldest first."""
    user = user_of(request)
    cases = list(selectors.daily_review_list(user).order_by("received_at", "id"))
    return render(
        request,
        "console/daily_review.html",
        {"rows": _rows(cases), "today": clock.now(), "nav": "review"},
    )


@staff_only
@require_POST
def case_release(request: HttpRequest, case_id: int) -> HttpResponse:
    """RSP-5: link the release carrying the permanent fix (recording it if it is new)."""

    def act(user: User, case: Case, data: dict[str, Any]) -> str:
        release_id = data["release"]
        if not release_id:
            release_id = services.create_release(actor=user, version=data["new_version"].strip()).pk
        done = services.link_release(actor=user, case_id=case.pk, release_id=release_id)
        assert done.release is not None
        return f"Linked to release {done.release.version}."

    form = ReleaseLinkForm(request.POST, releases=release_choices())
    return case_action(request, case_id, form, "release", act)


@staff_only
@require_POST
def case_sprint(request: HttpRequest, case_id: int) -> HttpResponse:
    """PRI-1: plan the case into a chosen sprint."""

    def act(user: User, case: Case, data: dict[str, Any]) -> str:
        done = services.plan_case_into_sprint(actor=user, case_id=case.pk, sprint_id=data["sprint"])
        assert done.sprint is not None
        return f"Planned into {done.sprint.name}."

    form = SprintPlanForm(request.POST, sprints=sprint_choices())
    return case_action(request, case_id, form, "sprint", act)
