"""Reading satisfaction: a case's survey, the surveys a person may see, the report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from django.db.models import QuerySet

from supportdesk.accounts.models import User
from supportdesk.cases.models import Case
from supportdesk.cases.selectors import cases_visible_to
from supportdesk.domain.lifecycle import CaseStatus
from supportdesk.domain.satisfaction import Rating, rating_open
from supportdesk.satisfaction.models import Survey

Grouping = Literal["week", "region", "agent"]
#: A case is rated on its resolution: while it is open again, it is not.
RATED_STATUSES = frozenset({CaseStatus.RESOLVED, CaseStatus.CLOSED})


def survey_of(case: Case) -> Survey | None:
    return Survey.objects.filter(case=case, asked=True).first()


def may_rate(survey: Survey, case: Case, user: User, now: dt.datetime) -> bool:
    """Whether ``user`` may rate ``case`` on ``survey`` now: its requester, while the
    survey is open and the case stays resolved or closed (a reopened case is rated
    after its next resolution, when it is asked again)."""
    return survey.requester_id == user.pk and rateable(survey, case, now)


def rateable(survey: Survey, case: Case, now: dt.datetime) -> bool:
    return rating_open(survey.open_until, now) and case.status in RATED_STATUSES


def surveys_visible_to(viewer: User) -> QuerySet[Survey]:
    """The surveys of the cases ``viewer`` may see (``cases_visible_to``)."""
    return Survey.objects.filter(asked=True, case__in=cases_visible_to(viewer).values("pk"))


def rated_between(start: dt.datetime, end: dt.datetime) -> QuerySet[Survey]:
    """Surveys rated (last) in ``[start, end)``, with their case and agent."""
    return (
        Survey.objects.filter(asked=True, rated_at__gte=start, rated_at__lt=end)
        .exclude(rating="")
        .select_related("case", "agent")
        .order_by("rated_at", "id")
    )


@dataclass
class CsatRow:
    """One group of the report: how many rated good and bad, and the score."""

    key: str
    good: int = 0
    bad: int = 0

    @property
    def total(self) -> int:
        return self.good + self.bad

    @property
    def score(self) -> float | None:
        """The share rated good, in percent (None with no rating)."""
        return round(100 * self.good / self.total, 1) if self.total else None


def _key(survey: Survey, by: Grouping) -> str:
    if by == "region":
        return survey.region.upper() or "-"
    if by == "agent":
        agent = survey.agent
        return agent.display_name if agent is not None else "unassigned"
    assert survey.rated_at is not None
    year, week, _ = survey.rated_at.isocalendar()
    return f"{year}-W{week:02d}"


def csat_report(
    start: dt.datetime, end: dt.datetime, *, by: Grouping, region: str | None = None
) -> list[CsatRow]:
    """Good and bad ratings given in ``[start, end)`` per ISO week (UTC), region or
    agent, in key order; ``region`` narrows to one region."""
    rows: dict[str, CsatRow] = {}
    qs = rated_between(start, end)
    if region:
        qs = qs.filter(region=region)
    for survey in qs:
        row = rows.setdefault(_key(survey, by), CsatRow(_key(survey, by)))
        if survey.rating == Rating.GOOD:
            row.good += 1
        else:
            row.bad += 1
    return [rows[k] for k in sorted(rows)]


def csat_comments(
    start: dt.datetime, end: dt.datetime, *, region: str | None = None, limit: int = 200
) -> list[Survey]:
    """The ratings with a comment given in ``[start, end)``, newest first."""
    qs = rated_between(start, end).exclude(comment="").order_by("-rated_at", "-id")
    if region:
        qs = qs.filter(region=region)
    return list(qs[:limit])
