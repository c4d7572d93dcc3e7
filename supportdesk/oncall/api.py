"""/api/oncall: who is on call, pages, acknowledgements (API and signed web link)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from ninja import Query, Router

from supportdesk import clock
from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import NotFound
from supportdesk.api_auth import api_user
from supportdesk.api_paging import Limit, Page, paginate
from supportdesk.api_types import Id, replies
from supportdesk.oncall import selectors, services
from supportdesk.oncall.models import AckVia, Schedule
from supportdesk.oncall.models import Page as PageRow
from supportdesk.oncall.schemas import OnCallOut, PageAcknowledgeIn, PageFilter, PageOut
from supportdesk.oncall.services import BadAckLink, PageClosed

router = Router(tags=["oncall"])


def _access_page(user: User, page_id: Id) -> PageRow:
    page = selectors.visible_pages(user).filter(pk=page_id).first()
    if page is None:
        raise NotFound(_("page %(page_id)s not found") % {"page_id": page_id}, field="page_id")
    return page


@router.get(
    "/schedules/{schedule_id}/on-call",
    response=replies({200: OnCallOut}, 404),
    summary="Who is on call now, and next",
)
def on_call(request: HttpRequest, schedule_id: Id) -> dict[str, Any]:
    user = api_user(request)
    schedule = Schedule.objects.select_related("team").filter(pk=schedule_id).first()
    if schedule is None or not (user.is_vendor_staff or user.is_superuser):
        raise NotFound(
            _("schedule %(schedule_id)s not found") % {"schedule_id": schedule_id},
            field="schedule_id",
        )
    now = clock.now()
    answer = selectors.on_call_now(schedule, now)
    # The people are users: OnCallOut reads them as PersonOut on the way out.
    return {
        "schedule_id": schedule.pk,
        "at": now,
        "person": answer.person,
        "source": answer.source.value,
        "coverage_gap": answer.coverage_gap,
        "next_at": answer.next_at,
        "next_person": answer.next_person,
    }


@router.get("/pages", response=replies({200: Page[PageOut]}), summary="Pages, newest first")
def list_pages(
    request: HttpRequest, filters: Query[PageFilter], cursor: str | None = None, limit: Limit = 50
) -> Page[PageRow]:
    qs = selectors.visible_pages(api_user(request))
    if filters.status:
        qs = qs.filter(status=filters.status)
    return paginate(qs, cursor=cursor, limit=limit, order=("-created_at", "-id"))


@router.post(
    "/pages/{page_id}/acknowledge",
    response=replies({200: PageOut}, 404, 409),
    summary="Acknowledge a page",
)
def acknowledge(
    request: HttpRequest, page_id: Id, payload: PageAcknowledgeIn | None = None
) -> PageRow:
    user = api_user(request)
    page = _access_page(user, page_id)
    via = payload.via if payload else AckVia.API
    return services.acknowledge_page(page=page, by=user, via=via)


def _ack_page(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, "oncall/ack_link.html", context, status=status)


@router.get("/ack/{token}", auth=None, include_in_schema=False)
def ack_link_form(request: HttpRequest, token: str) -> HttpResponse:
    """What the link acknowledges (the page, its case, the callback number) and a
    button: a GET acknowledges nothing, as mail scanners and link previews fetch links."""
    try:
        page, person = services.read_ack_token(token)
    except BadAckLink as exc:
        return _ack_page(request, {"invalid": exc.message}, status=400)
    return _ack_page(request, {"page": page, "person": person})


@router.post("/ack/{token}", auth=None, include_in_schema=False)
def ack_link_submit(request: HttpRequest, token: str) -> HttpResponse:
    """Acknowledge as the person the link was sent to; a person's browser gets a page,
    a refused link too (never the API's JSON)."""
    try:
        page = services.acknowledge_by_token(token=token)
    except BadAckLink as exc:
        return _ack_page(request, {"invalid": exc.message}, status=400)
    except PageClosed as exc:
        return _ack_page(request, {"invalid": exc.message}, status=409)
    return _ack_page(request, {"page": page, "person": page.acknowledged_by})
