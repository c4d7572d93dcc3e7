"""/api/satisfaction: a thin router. A case's rating follows the case's visibility
(another organisation's case is a 404); the report is for staff (403 otherwise)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router

from supportdesk.accounts.permissions import NotFound, require
from supportdesk.api_auth import api_user
from supportdesk.api_paging import Limit, Page, paginate
from supportdesk.api_types import Id, check_period, replies
from supportdesk.cases.selectors import access_case
from supportdesk.satisfaction import selectors, services
from supportdesk.satisfaction.models import Survey
from supportdesk.satisfaction.permissions import can_see_csat_report
from supportdesk.satisfaction.schemas import (
    CsatRowOut,
    RatingIn,
    ReportFilter,
    SurveyFilter,
    SurveyOut,
)

router = Router(tags=["satisfaction"])


@router.get(
    "", response=replies({200: Page[SurveyOut]}), summary="Surveys of the cases you may see"
)
def list_surveys(
    request: HttpRequest,
    filters: Query[SurveyFilter],
    cursor: str | None = None,
    limit: Limit = 50,
) -> Page[Survey]:
    qs = selectors.surveys_visible_to(api_user(request)).select_related("case")
    if filters.rated_only:
        qs = qs.exclude(rating="")
    if filters.region:
        qs = qs.filter(region=filters.region)
    return paginate(qs, cursor=cursor, limit=limit, order=("-sent_at", "-id"))


@router.get(
    "/report",
    response=replies({200: list[CsatRowOut]}),
    summary="Good and bad ratings per week, region or agent (staff)",
)
def report(request: HttpRequest, filters: Query[ReportFilter]) -> list[CsatRowOut]:
    require(can_see_csat_report(api_user(request)), _("staff only"), field="actor")
    check_period(filters.start, filters.end)
    rows = selectors.csat_report(filters.start, filters.end, by=filters.by, region=filters.region)
    return [
        CsatRowOut(key=r.key, good=r.good, bad=r.bad, total=r.total, score=r.score) for r in rows
    ]


@router.get("/cases/{case_id}", response=replies({200: SurveyOut}, 404), summary="A case's survey")
def case_survey(request: HttpRequest, case_id: Id) -> Survey:
    survey = selectors.survey_of(access_case(api_user(request), case_id))
    if survey is None:
        raise NotFound(_("this case has no satisfaction survey"), field="case_id")
    return survey


@router.post(
    "/cases/{case_id}/rating",
    response=replies({200: SurveyOut}, 404, 409),
    summary="Rate your resolved case, or change the rating while the survey is open",
)
def rate_case(request: HttpRequest, case_id: Id, payload: RatingIn) -> Survey:
    return services.rate_case(
        actor=api_user(request), case_id=case_id, rating=payload.rating, comment=payload.comment
    )
