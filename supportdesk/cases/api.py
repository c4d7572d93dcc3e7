"""/api/cases: a thin router — parse, call one service or selector, return a schema."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest
from ninja import File, Form, Query, Router, Status, UploadedFile

from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import NotFound
from supportdesk.api_paging import Page, paginate
from supportdesk.cases import selectors, services
from supportdesk.cases.drafts import CaseDraft
from supportdesk.cases.models import Attachment, CaseEvent, Comment, FollowUpTask, Release, Sprint
from supportdesk.cases.schemas import (
    AssignIn,
    AttachmentOut,
    CaseDetailOut,
    CaseFilter,
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
    case_detail_out,
    case_out,
)

router = Router(tags=["cases"])


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


def _detail(user: User, case_id: int) -> CaseDetailOut:
    return case_detail_out(selectors.access_case(user, case_id))


# Lists. Static paths come before /{case_id}.


@router.get("", response=Page[CaseOut], summary="Cases you may see, in queue order")
def list_cases(
    request: HttpRequest, filters: Query[CaseFilter], cursor: str | None = None, limit: int = 50
) -> Page[CaseOut]:
    queue_filter = selectors.QueueFilter(**filters.model_dump())
    qs = selectors.case_queue(_user(request), queue_filter, summary=True)
    return selectors.queue_page(qs, cursor=cursor, limit=limit, to_schema=case_out)


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
) -> Page[FollowUpTask]:
    qs = selectors.follow_ups_for(_user(request), open_only=open_only)
    return paginate(qs, cursor=cursor, limit=limit, order=("created_at", "id"))


@router.post("/follow-ups/{task_id}/done", response=FollowUpOut)
def complete_follow_up(request: HttpRequest, task_id: int, payload: FollowUpDoneIn) -> FollowUpTask:
    task = services.complete_follow_up(actor=_user(request), task_id=task_id, note=payload.note)
    return task


@router.get("/sprints", response=Page[SprintOut], summary="Sprints, latest first")
def list_sprints(request: HttpRequest, cursor: str | None = None, limit: int = 50) -> Page[Sprint]:
    return paginate(selectors.sprints(), cursor=cursor, limit=limit, order=("-starts_on", "-id"))


@router.post("/sprints", response={201: SprintOut})
def create_sprint(request: HttpRequest, payload: SprintIn) -> Status[Sprint]:
    sprint = services.create_sprint(
        actor=_user(request),
        name=payload.name,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
    )
    return Status(201, sprint)


@router.get("/releases", response=Page[ReleaseOut], summary="Releases, latest first")
def list_releases(
    request: HttpRequest, cursor: str | None = None, limit: int = 50
) -> Page[Release]:
    return paginate(selectors.releases(), cursor=cursor, limit=limit, order=("-created_at", "-id"))


@router.post("/releases", response={201: ReleaseOut})
def create_release(request: HttpRequest, payload: ReleaseIn) -> Status[Release]:
    release = services.create_release(
        actor=_user(request),
        version=payload.version,
        planned_for=payload.planned_for,
        notes=payload.notes,
    )
    return Status(201, release)


# One case.


@router.post("", response={200: CaseDetailOut, 201: CaseDetailOut}, summary="Open a case")
def create_case(request: HttpRequest, payload: CaseIn) -> Status[CaseDetailOut]:
    """Send ``Idempotency-Key``: a retried create returns the same case (200); the same
    key with a different body is a 409."""
    user = _user(request)
    key = request.headers.get("Idempotency-Key") or None
    case, created = services.open_case(user, CaseDraft(**payload.model_dump()), idempotency_key=key)
    if created:
        # The service leaves the new case with its relations loaded.
        return Status(201, case_detail_out(case))
    return Status(200, _detail(user, case.pk))


@router.get("/{case_id}", response=CaseDetailOut)
def get_case(request: HttpRequest, case_id: int) -> CaseDetailOut:
    return _detail(_user(request), case_id)


@router.get("/{case_id}/comments", response=Page[CommentOut])
def list_comments(
    request: HttpRequest, case_id: int, cursor: str | None = None, limit: int = 50
) -> Page[Comment]:
    user = _user(request)
    qs = selectors.case_comments(user, selectors.access_case(user, case_id))
    return paginate(qs, cursor=cursor, limit=limit, order=("created_at", "id"))


@router.post("/{case_id}/comments", response={201: CommentOut})
def add_comment(request: HttpRequest, case_id: int, payload: CommentIn) -> Status[Comment]:
    comment = services.add_comment(
        actor=_user(request),
        case_id=case_id,
        body=payload.body,
        public=payload.public,
        channel=payload.channel,
    )
    return Status(201, comment)


@router.post("/{case_id}/severity", response=CaseDetailOut, summary="SEV-4: change severity")
def change_severity(request: HttpRequest, case_id: int, payload: SeverityIn) -> CaseDetailOut:
    user = _user(request)
    services.change_severity(
        actor=user, case_id=case_id, severity=payload.severity, reason=payload.reason
    )
    return _detail(user, case_id)


@router.post("/{case_id}/transitions", response=CaseDetailOut, summary="Move along the lifecycle")
def transition(request: HttpRequest, case_id: int, payload: TransitionIn) -> CaseDetailOut:
    user = _user(request)
    services.transition_case(
        actor=user, case_id=case_id, to=payload.to, note=payload.note, agreement=payload.agreement
    )
    return _detail(user, case_id)


@router.post("/{case_id}/assignee", response=CaseDetailOut)
def assign(request: HttpRequest, case_id: int, payload: AssignIn) -> CaseDetailOut:
    user = _user(request)
    services.assign_case(actor=user, case_id=case_id, assignee_id=payload.assignee_id)
    return _detail(user, case_id)


@router.post("/{case_id}/release", response=CaseDetailOut, summary="RSP-5: link a release")
def link_release(request: HttpRequest, case_id: int, payload: LinkReleaseIn) -> CaseDetailOut:
    user = _user(request)
    services.link_release(actor=user, case_id=case_id, release_id=payload.release_id)
    return _detail(user, case_id)


@router.post("/{case_id}/sprint", response=CaseDetailOut, summary="PRI-1: plan into a sprint")
def plan_into_sprint(request: HttpRequest, case_id: int, payload: PlanSprintIn) -> CaseDetailOut:
    user = _user(request)
    services.plan_case_into_sprint(actor=user, case_id=case_id, sprint_id=payload.sprint_id)
    return _detail(user, case_id)


@router.get("/{case_id}/timeline", response=Page[EventOut])
def timeline(
    request: HttpRequest, case_id: int, cursor: str | None = None, limit: int = 100
) -> Page[CaseEvent]:
    user = _user(request)
    qs = selectors.case_timeline(user, selectors.access_case(user, case_id))
    return paginate(qs, cursor=cursor, limit=limit, order=("at", "id"))


@router.get("/{case_id}/follow-ups", response=list[FollowUpOut])
def case_follow_ups(request: HttpRequest, case_id: int) -> list[FollowUpTask]:
    user = _user(request)
    case = selectors.access_case(user, case_id)
    return list(selectors.follow_ups_for(user, case=case))


@router.get("/{case_id}/attachments", response=list[AttachmentOut])
def list_attachments(request: HttpRequest, case_id: int) -> list[Attachment]:
    user = _user(request)
    case = selectors.access_case(user, case_id)
    return list(selectors.case_attachments(user, case))


@router.post("/{case_id}/attachments", response={201: AttachmentOut})
def add_attachment(
    request: HttpRequest,
    case_id: int,
    file: File[UploadedFile],
    public: Form[bool] = True,
) -> Status[Attachment]:
    attachment = services.add_attachment(
        actor=_user(request), case_id=case_id, upload=file, public=public
    )
    return Status(201, attachment)


@router.get("/{case_id}/attachments/{attachment_id}/content")
def download_attachment(request: HttpRequest, case_id: int, attachment_id: int) -> FileResponse:
    user = _user(request)
    case = selectors.access_case(user, case_id)
    attachment = selectors.case_attachments(user, case).filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound(f"attachment {attachment_id} not found", field="attachment_id")
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
