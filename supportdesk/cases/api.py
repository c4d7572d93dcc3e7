"""/api/cases: a thin router — parse, call one service or selector, return a schema."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, UploadedFile

from supportdesk.accounts.models import User
from supportdesk.api_paging import Page, paginate
from supportdesk.cases import selectors, services
from supportdesk.cases.drafts import CaseDraft
from supportdesk.cases.models import Attachment, CaseEvent, Comment, FollowUpTask, Release, Sprint
from supportdesk.cases.schemas import (
    AssignIn,
    AttachmentOut,
    CaseDetailOut,
    CaseIn,
    CaseOut,
    CommentIn,
    CommentOut,
    EventOut,
    FollowUpDoneIn,
    FollowUpOut,
    LinkReleaseIn,
    PlanSprintIn,
    ReleaseIn,
    ReleaseOut,
    SeverityIn,
    SprintIn,
    SprintOut,
    TransitionIn,
    case_detail_row,
    case_out,
    case_row,
)

router = Router(tags=["cases"])


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


def _detail(user: User, case_id: int) -> dict[str, Any]:
    return case_detail_row(selectors.access_case(user, case_id))


def _comment_out(c: Comment) -> CommentOut:
    return CommentOut(
        id=c.pk,
        author_id=c.author_id,
        body=c.body,
        public=c.public,
        channel=c.channel,
        created_at=c.created_at,
    )


def _event_out(e: CaseEvent) -> EventOut:
    return EventOut(
        id=e.pk, at=e.at, actor_id=e.actor_id, kind=e.kind, public=e.public, data=e.data
    )


def _attachment_out(a: Attachment) -> AttachmentOut:
    return AttachmentOut(
        id=a.pk,
        name=a.name,
        content_type=a.content_type,
        size=a.size,
        public=a.public,
        created_at=a.created_at,
        url=a.file.url,
    )


def _follow_up_out(t: FollowUpTask) -> FollowUpOut:
    return FollowUpOut(
        id=t.pk,
        case_id=t.case_id,
        kind=t.kind,
        description=t.description,
        assignee_id=t.assignee_id,
        status=t.status,
        created_at=t.created_at,
        done_at=t.done_at,
        note=t.note,
    )


def _sprint_out(s: Sprint) -> SprintOut:
    return SprintOut(id=s.pk, name=s.name, starts_on=s.starts_on, ends_on=s.ends_on)


def _release_out(r: Release) -> ReleaseOut:
    return ReleaseOut(id=r.pk, version=r.version, planned_for=r.planned_for, notes=r.notes)


# Lists. Static paths come before /{case_id}.


@router.get("", response=Page[CaseOut], summary="Cases you may see, in queue order")
def list_cases(
    request: HttpRequest,
    status: str | None = None,
    severity: int | None = None,
    organisation: int | None = None,
    escalated: bool | None = None,
    q: str | None = None,
    open_only: bool = False,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[dict[str, Any]]:
    filters = selectors.QueueFilter(
        status=status,
        severity=severity,
        organisation=organisation,
        escalated=escalated,
        q=q,
        open_only=open_only,
    )
    qs = selectors.case_queue(_user(request), filters, summary=True)
    return selectors.queue_page(qs, cursor=cursor, limit=limit, to_schema=case_row)


@router.get("/daily-review", response=Page[CaseOut], summary="RSP-4: the daily review list")
def daily_review(request: HttpRequest, cursor: str | None = None, limit: int = 50) -> Page[CaseOut]:
    qs = selectors.daily_review_list(_user(request))
    return paginate(qs, cursor=cursor, limit=limit, order=("received_at", "id"), to_schema=case_out)


@router.get("/work-orders", response=Page[CaseOut], summary="RSP-3: open Sev4 work orders")
def work_orders(
    request: HttpRequest, team: str | None = None, cursor: str | None = None, limit: int = 50
) -> Page[CaseOut]:
    qs = selectors.work_orders(_user(request), team_key=team)
    return paginate(qs, cursor=cursor, limit=limit, order=("received_at", "id"), to_schema=case_out)


@router.get("/follow-ups", response=Page[FollowUpOut], summary="INT-5: follow-up tasks")
def list_follow_ups(
    request: HttpRequest, open_only: bool = True, cursor: str | None = None, limit: int = 50
) -> Page[FollowUpOut]:
    qs = selectors.follow_ups_for(_user(request), open_only=open_only)
    return paginate(
        qs, cursor=cursor, limit=limit, order=("created_at", "id"), to_schema=_follow_up_out
    )


@router.post("/follow-ups/{task_id}/done", response=FollowUpOut)
def complete_follow_up(request: HttpRequest, task_id: int, payload: FollowUpDoneIn) -> FollowUpOut:
    task = services.complete_follow_up(actor=_user(request), task_id=task_id, note=payload.note)
    return _follow_up_out(task)


@router.get("/sprints", response=Page[SprintOut], summary="Sprints, latest first")
def list_sprints(
    request: HttpRequest, cursor: str | None = None, limit: int = 50
) -> Page[SprintOut]:
    return paginate(
        selectors.sprints(),
        cursor=cursor,
        limit=limit,
        order=("-starts_on", "-id"),
        to_schema=_sprint_out,
    )


@router.post("/sprints", response={201: SprintOut})
def create_sprint(request: HttpRequest, payload: SprintIn) -> tuple[int, SprintOut]:
    sprint = services.create_sprint(
        actor=_user(request),
        name=payload.name,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
    )
    return 201, _sprint_out(sprint)


@router.get("/releases", response=Page[ReleaseOut], summary="Releases, latest first")
def list_releases(
    request: HttpRequest, cursor: str | None = None, limit: int = 50
) -> Page[ReleaseOut]:
    return paginate(
        selectors.releases(),
        cursor=cursor,
        limit=limit,
        order=("-created_at", "-id"),
        to_schema=_release_out,
    )


@router.post("/releases", response={201: ReleaseOut})
def create_release(request: HttpRequest, payload: ReleaseIn) -> tuple[int, ReleaseOut]:
    release = services.create_release(
        actor=_user(request),
        version=payload.version,
        planned_for=payload.planned_for,
        notes=payload.notes,
    )
    return 201, _release_out(release)


# One case.


@router.post("", response={200: CaseDetailOut, 201: CaseDetailOut}, summary="Open a case")
def create_case(request: HttpRequest, payload: CaseIn) -> tuple[int, dict[str, Any]]:
    """Send ``Idempotency-Key``: a retried create returns the same case (200); the same
    key with a different body is a 409."""
    user = _user(request)
    key = request.headers.get("Idempotency-Key") or None
    case, created = services.open_case(user, CaseDraft(**payload.model_dump()), idempotency_key=key)
    if created:
        # The service leaves the new case with its relations loaded.
        return 201, case_detail_row(case)
    return 200, _detail(user, case.pk)


@router.get("/{case_id}", response=CaseDetailOut)
def get_case(request: HttpRequest, case_id: int) -> dict[str, Any]:
    return _detail(_user(request), case_id)


@router.get("/{case_id}/comments", response=Page[CommentOut])
def list_comments(
    request: HttpRequest, case_id: int, cursor: str | None = None, limit: int = 50
) -> Page[CommentOut]:
    user = _user(request)
    qs = selectors.case_comments(user, selectors.access_case(user, case_id))
    return paginate(
        qs, cursor=cursor, limit=limit, order=("created_at", "id"), to_schema=_comment_out
    )


@router.post("/{case_id}/comments", response={201: CommentOut})
def add_comment(request: HttpRequest, case_id: int, payload: CommentIn) -> tuple[int, CommentOut]:
    comment = services.add_comment(
        actor=_user(request),
        case_id=case_id,
        body=payload.body,
        public=payload.public,
        channel=payload.channel,
    )
    return 201, _comment_out(comment)


@router.post("/{case_id}/severity", response=CaseDetailOut, summary="SEV-4: change severity")
def change_severity(request: HttpRequest, case_id: int, payload: SeverityIn) -> dict[str, Any]:
    user = _user(request)
    services.change_severity(
        actor=user, case_id=case_id, severity=payload.severity, reason=payload.reason
    )
    return _detail(user, case_id)


@router.post("/{case_id}/transitions", response=CaseDetailOut, summary="Move along the lifecycle")
def transition(request: HttpRequest, case_id: int, payload: TransitionIn) -> dict[str, Any]:
    user = _user(request)
    services.transition_case(
        actor=user, case_id=case_id, to=payload.to, note=payload.note, agreement=payload.agreement
    )
    return _detail(user, case_id)


@router.post("/{case_id}/assignee", response=CaseDetailOut)
def assign(request: HttpRequest, case_id: int, payload: AssignIn) -> dict[str, Any]:
    user = _user(request)
    services.assign_case(actor=user, case_id=case_id, assignee_id=payload.assignee_id)
    return _detail(user, case_id)


@router.post("/{case_id}/release", response=CaseDetailOut, summary="RSP-5: link a release")
def link_release(request: HttpRequest, case_id: int, payload: LinkReleaseIn) -> dict[str, Any]:
    user = _user(request)
    services.link_release(actor=user, case_id=case_id, release_id=payload.release_id)
    return _detail(user, case_id)


@router.post("/{case_id}/sprint", response=CaseDetailOut, summary="PRI-1: plan into a sprint")
def plan_into_sprint(request: HttpRequest, case_id: int, payload: PlanSprintIn) -> dict[str, Any]:
    user = _user(request)
    services.plan_case_into_sprint(actor=user, case_id=case_id, sprint_id=payload.sprint_id)
    return _detail(user, case_id)


@router.get("/{case_id}/timeline", response=Page[EventOut])
def timeline(
    request: HttpRequest, case_id: int, cursor: str | None = None, limit: int = 100
) -> Page[EventOut]:
    user = _user(request)
    qs = selectors.case_timeline(user, selectors.access_case(user, case_id))
    return paginate(qs, cursor=cursor, limit=limit, order=("at", "id"), to_schema=_event_out)


@router.get("/{case_id}/follow-ups", response=list[FollowUpOut])
def case_follow_ups(request: HttpRequest, case_id: int) -> list[FollowUpOut]:
    user = _user(request)
    case = selectors.access_case(user, case_id)
    return [_follow_up_out(t) for t in selectors.follow_ups_for(user, case=case)]


@router.get("/{case_id}/attachments", response=list[AttachmentOut])
def list_attachments(request: HttpRequest, case_id: int) -> list[AttachmentOut]:
    user = _user(request)
    case = selectors.access_case(user, case_id)
    return [_attachment_out(a) for a in selectors.case_attachments(user, case)]


@router.post("/{case_id}/attachments", response={201: AttachmentOut})
def add_attachment(
    request: HttpRequest,
    case_id: int,
    file: File[UploadedFile],
    public: Form[bool] = True,
) -> tuple[int, AttachmentOut]:
    attachment = services.add_attachment(
        actor=_user(request), case_id=case_id, upload=file, public=public
    )
    return 201, _attachment_out(attachment)


@router.get("/{case_id}/attachments/{attachment_id}/content")
def download_attachment(request: HttpRequest, case_id: int, attachment_id: int) -> HttpResponse:
    user = _user(request)
    case = selectors.access_case(user, case_id)
    attachment = selectors.case_attachments(user, case).filter(pk=attachment_id).first()
    if attachment is None:
        from supportdesk.accounts.permissions import NotFound

        raise NotFound(f"attachment {attachment_id} not found", field="attachment_id")
    response = HttpResponse(attachment.file.open("rb").read(), content_type=attachment.content_type)
    response["Content-Disposition"] = f'attachment; filename="{attachment.name}"'
    return response
