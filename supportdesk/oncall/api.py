"""/api/oncall: who is on call, pages, acknowledgements (API and signed web link)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.html import escape
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


_FORM = """<!doctype html><title>Acknowledge page</title>
<h1>{title}</h1><p>{detail}</p>{form}"""


@router.get("/ack/{token}", auth=None, include_in_schema=False)
def ack_link_form(request: HttpRequest, token: str) -> HttpResponse:
    # A GET only shows the button: mail scanners and link previews fetch links.
    form = (
        f'<form method="post" action="{escape(request.path)}"><button>Acknowledge</button></form>'
    )
    return HttpResponse(_FORM.format(title="Acknowledge this page?", detail="", form=form))


@router.post("/ack/{token}", auth=None, include_in_schema=False)
def ack_link_submit(request: HttpRequest, token: str) -> HttpResponse:
    page = services.acknowledge_by_token(token=token)
    who = page.acknowledged_by.display_name if page.acknowledged_by else ""
    detail = escape(
        f"Page {page.pk} ({page.summary}) acknowledged by {who} at {page.acknowledged_at:%Y-%m-%d %H:%M} UTC."
    )
    return HttpResponse(_FORM.format(title="Acknowledged", detail=detail, form=""))
