"""/api/oncall: who is on call, pages, acknowledgements (API and signed web link)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.html import escape
from ninja import Router

from supportdesk import clock
from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import NotFound
from supportdesk.api_paging import Page, paginate
from supportdesk.oncall import selectors, services
from supportdesk.oncall.models import Page as PageRow
from supportdesk.oncall.models import Schedule
from supportdesk.oncall.schemas import AcknowledgeIn, OnCallOut, PageOut, PersonOut

router = Router(tags=["oncall"])


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


def _person(user: User | None) -> PersonOut | None:
    if user is None:
        return None
    return PersonOut(id=user.pk, username=user.get_username(), name=user.get_full_name())


def _page_out(page: PageRow) -> PageOut:
    return PageOut(
        id=page.pk,
        schedule_id=page.schedule_id,
        case_id=page.case_id,
        summary=page.summary,
        severity=page.severity,
        callback_number=page.callback_number,
        status=page.status,
        created_at=page.created_at,
        holder_id=page.holder_id,
        coverage_gap=page.coverage_gap,
        acknowledged_at=page.acknowledged_at,
        acknowledged_by_id=page.acknowledged_by_id,
        acknowledged_via=page.acknowledged_via,
    )


def _access_page(user: User, page_id: int) -> PageRow:
    page = selectors.visible_pages(user).filter(pk=page_id).first()
    if page is None:
        raise NotFound(f"page {page_id} not found", field="page_id")
    return page


@router.get(
    "/schedules/{schedule_id}/on-call", response=OnCallOut, summary="Who is on call now, and next"
)
def on_call(request: HttpRequest, schedule_id: int) -> OnCallOut:
    user = _user(request)
    schedule = Schedule.objects.select_related("team").filter(pk=schedule_id).first()
    if schedule is None or not (user.is_vendor_staff or user.is_superuser):
        raise NotFound(f"schedule {schedule_id} not found", field="schedule_id")
    now = clock.now()
    answer = selectors.on_call_now(schedule, now)
    return OnCallOut(
        schedule_id=schedule.pk,
        at=now,
        person=_person(answer.person),
        source=answer.source.value,
        coverage_gap=answer.coverage_gap,
        next_at=answer.next_at,
        next_person=_person(answer.next_person),
    )


@router.get("/pages", response=Page[PageOut], summary="Pages, newest first")
def list_pages(
    request: HttpRequest, status: str | None = None, cursor: str | None = None, limit: int = 50
) -> Page[PageOut]:
    qs = selectors.visible_pages(_user(request))
    if status:
        qs = qs.filter(status=status)
    return paginate(
        qs, cursor=cursor, limit=limit, order=("-created_at", "-id"), to_schema=_page_out
    )


@router.post("/pages/{page_id}/acknowledge", response=PageOut, summary="Acknowledge a page")
def acknowledge(
    request: HttpRequest, page_id: int, payload: AcknowledgeIn | None = None
) -> PageOut:
    user = _user(request)
    page = _access_page(user, page_id)
    via = payload.via if payload else "api"
    return _page_out(services.acknowledge_page(page=page, by=user, via=via))


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
    who = page.acknowledged_by.get_full_name() if page.acknowledged_by else ""
    detail = escape(
        f"Page {page.pk} ({page.summary}) acknowledged by {who} at {page.acknowledged_at:%Y-%m-%d %H:%M} UTC."
    )
    return HttpResponse(_FORM.format(title="Acknowledged", detail=detail, form=""))
