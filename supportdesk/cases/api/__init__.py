"""/api/cases: a thin router — parse, call one service or selector, return a schema. A
concern of its own gets a module of its own here, its routes added to this router
(:mod:`.details`)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status, UploadedFile
from ninja.params.functions import Header

from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import Forbidden, NotFound
from supportdesk.api_auth import api_user, read_with_token
from supportdesk.api_paging import Limit, Page, paginate
from supportdesk.api_types import Id, replies
from supportdesk.cases import selectors, services
from supportdesk.cases.api import details
from supportdesk.cases.api.reads import as_of_now, detail
from supportdesk.cases.drafts import CaseDraft
from supportdesk.cases.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseFollower,
    Comment,
    FollowUpTask,
    Release,
    Sprint,
)
from supportdesk.cases.schemas import (
    IDEMPOTENCY_KEY_LENGTH,
    AssignIn,
    AttachmentOut,
    CaseDetailOut,
    CaseEventOut,
    CaseFilter,
    CaseIn,
    CaseOut,
    CommentIn,
    CommentOut,
    EmergencyReviewIn,
    FollowerOut,
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
from supportdesk.cases.search.schemas import CaseHitOut, hit_page, queue_hit

router = Router(tags=["cases"])


def _received_page(qs: QuerySet[Case], cursor: str | None, limit: int) -> Page[CaseOut]:
    """A work list: its cases in the order they were received, clocks as of now."""
    return paginate(
        qs,
        cursor=cursor,
        limit=limit,
        order=("received_at", "id"),
        to_schema=case_out,
        prepare=as_of_now,
    )


def _access_follow_up(user: User, task_id: int) -> None:
    if not selectors.follow_ups_for(user).filter(pk=task_id).exists():
        raise NotFound(_("follow-up %(task_id)s not found") % {"task_id": task_id}, field="task_id")


# Lists. Static paths come before /{case_id}.


@router.get(
    "",
    response=replies({200: Page[CaseHitOut]}),
    summary="Cases you may see, in queue order; with q, a full-text search, best match first",
)
def list_cases(
    request: HttpRequest, filters: Query[CaseFilter], cursor: str | None = None, limit: Limit = 50
) -> Page[CaseHitOut]:
    """``q`` searches the full text (``"exact phrase"``, ``-word``, ``a OR b``; a
    reference's number; for staff also ``tag:name`` and ``-tag:name``); customers search
    the public text of their own cases only. A search pages by rank and id and gives
    each case a highlighted ``snippet``. ``tag`` (repeatable) keeps the cases carrying
    every tag named: staff only (403 naming ``tag`` for anyone else)."""
    user = api_user(request)
    queue_filter = filters.queue_filter(user)
    if queue_filter.q:
        return hit_page(user, queue_filter, cursor=cursor, limit=limit)
    qs = selectors.case_queue(user, queue_filter, summary=True)
    return selectors.queue_page(
        qs, cursor=cursor, limit=limit, to_schema=queue_hit, prepare=as_of_now
    )


@router.get(
    "/daily-review", response=replies({200: Page[CaseOut]}), summary="RSP-4: the daily review list"
)
def daily_review(
    request: HttpRequest, cursor: str | None = None, limit: Limit = 50
) -> Page[CaseOut]:
    return _received_page(selectors.daily_review_list(api_user(request)), cursor, limit)


@router.get(
    "/work-orders", response=replies({200: Page[CaseOut]}), summary="RSP-3: open Sev4 work orders"
)
def work_orders(
    request: HttpRequest, team: str | None = None, cursor: str | None = None, limit: Limit = 50
) -> Page[CaseOut]:
    return _received_page(selectors.work_orders(api_user(request), team_key=team), cursor, limit)


@router.get(
    "/follow-ups", response=replies({200: Page[FollowUpOut]}), summary="INT-5: follow-up tasks"
)
def list_follow_ups(
    request: HttpRequest, open_only: bool = True, cursor: str | None = None, limit: Limit = 50
) -> Page[FollowUpTask]:
    qs = selectors.follow_ups_for(api_user(request), open_only=open_only)
    return paginate(qs, cursor=cursor, limit=limit, order=("created_at", "id"))


@router.post("/follow-ups/{task_id}/done", response=replies({200: FollowUpOut}, 404, 409))
def complete_follow_up(request: HttpRequest, task_id: Id, payload: FollowUpDoneIn) -> FollowUpTask:
    user = api_user(request)
    try:
        return services.complete_follow_up(actor=user, task_id=task_id, note=payload.note)
    except Forbidden:
        _access_follow_up(user, task_id)  # another organisation's: a 404, as for its case
        raise


@router.get("/sprints", response=replies({200: Page[SprintOut]}), summary="Sprints, latest first")
def list_sprints(
    request: HttpRequest, team_id: Id | None = None, cursor: str | None = None, limit: Limit = 50
) -> Page[Sprint]:
    qs = selectors.sprints_visible_to(api_user(request))
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    return paginate(qs, cursor=cursor, limit=limit, order=("-starts_on", "-id"))


@router.post("/sprints", response=replies({201: SprintOut}, 404, 409))
def create_sprint(request: HttpRequest, payload: SprintIn) -> Status[Sprint]:
    sprint = services.create_sprint(
        actor=api_user(request),
        name=payload.name,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        team_id=payload.team_id,
    )
    return Status(201, sprint)


@router.get(
    "/releases", response=replies({200: Page[ReleaseOut]}), summary="Releases, latest first"
)
def list_releases(
    request: HttpRequest, cursor: str | None = None, limit: Limit = 50
) -> Page[Release]:
    qs = selectors.releases_visible_to(api_user(request))
    return paginate(qs, cursor=cursor, limit=limit, order=("-created_at", "-id"))


@router.post("/releases", response=replies({201: ReleaseOut}, 409))
def create_release(request: HttpRequest, payload: ReleaseIn) -> Status[Release]:
    release = services.create_release(
        actor=api_user(request),
        version=payload.version,
        planned_for=payload.planned_for,
        notes=payload.notes,
    )
    return Status(201, release)


# One case.


@router.post(
    "",
    response=replies({200: CaseDetailOut, 201: CaseDetailOut}, 404, 409),
    summary="Open a case",
)
def create_case(
    request: HttpRequest,
    payload: CaseIn,
    idempotency_key: str | None = Header(
        None, alias="Idempotency-Key", min_length=1, max_length=IDEMPOTENCY_KEY_LENGTH
    ),
) -> Status[CaseDetailOut]:
    """Send ``Idempotency-Key``: a retried create returns the same case (200); the same
    key with a different body is a 409."""
    user = api_user(request)
    read, stamp = read_with_token(request)
    case, created = services.open_case(
        user,
        CaseDraft(**payload.model_dump()),
        idempotency_key=idempotency_key,
        planning=selectors.planning_under(stamp) if read else None,
    )
    if created:
        # The service leaves the new case with its relations loaded.
        return Status(201, case_detail_out(case))
    return Status(200, detail(user, case.pk))


@router.get("/{case_id}", response=replies({200: CaseDetailOut}, 404))
def get_case(request: HttpRequest, case_id: Id) -> CaseDetailOut:
    return detail(api_user(request), case_id)


@router.get("/{case_id}/comments", response=replies({200: Page[CommentOut]}, 404))
def list_comments(
    request: HttpRequest, case_id: Id, cursor: str | None = None, limit: Limit = 50
) -> Page[Comment]:
    user = api_user(request)
    qs = selectors.case_comments(user, selectors.access_case(user, case_id))
    return paginate(qs, cursor=cursor, limit=limit, order=("created_at", "id"))


@router.post("/{case_id}/comments", response=replies({201: CommentOut}, 404, 409))
def add_comment(request: HttpRequest, case_id: Id, payload: CommentIn) -> Status[Comment]:
    user = api_user(request)
    comment = services.add_comment(
        actor=user,
        case_id=case_id,
        body=payload.body,
        public=payload.public,
        channel=payload.channel,
    )
    return Status(201, comment)


@router.post(
    "/{case_id}/emergency",
    response=replies({200: CaseDetailOut}, 403, 404),
    summary="INT-2: confirm or downgrade an unconfirmed emergency, with a reason",
)
def review_emergency(
    request: HttpRequest, case_id: Id, payload: EmergencyReviewIn
) -> CaseDetailOut:
    user = api_user(request)
    services.review_emergency(
        actor=user,
        case_id=case_id,
        decision=payload.decision,
        reason=payload.reason,
        severity=payload.severity,
    )
    return detail(user, case_id)


@router.post(
    "/{case_id}/severity",
    response=replies({200: CaseDetailOut}, 404, 409),
    summary="SEV-4: change severity",
)
def change_severity(request: HttpRequest, case_id: Id, payload: SeverityIn) -> CaseDetailOut:
    user = api_user(request)
    services.change_severity(
        actor=user, case_id=case_id, severity=payload.severity, reason=payload.reason
    )
    return detail(user, case_id)


@router.post(
    "/{case_id}/transitions",
    response=replies({200: CaseDetailOut}, 404, 409),
    summary="Move along the lifecycle",
)
def transition(request: HttpRequest, case_id: Id, payload: TransitionIn) -> CaseDetailOut:
    user = api_user(request)
    services.transition_case(
        actor=user,
        case_id=case_id,
        to=payload.to,
        note=payload.note,
        agreement=payload.agreement,
    )
    return detail(user, case_id)


@router.post("/{case_id}/assignee", response=replies({200: CaseDetailOut}, 404, 409))
def assign(request: HttpRequest, case_id: Id, payload: AssignIn) -> CaseDetailOut:
    user = api_user(request)
    services.assign_case(actor=user, case_id=case_id, assignee_id=payload.assignee_id)
    return detail(user, case_id)


@router.post(
    "/{case_id}/release",
    response=replies({200: CaseDetailOut}, 404, 409),
    summary="RSP-5: link a release",
)
def link_release(request: HttpRequest, case_id: Id, payload: LinkReleaseIn) -> CaseDetailOut:
    user = api_user(request)
    services.link_release(actor=user, case_id=case_id, release_id=payload.release_id)
    return detail(user, case_id)


@router.post(
    "/{case_id}/sprint",
    response=replies({200: CaseDetailOut}, 404, 409),
    summary="PRI-1: plan into a sprint",
)
def plan_into_sprint(request: HttpRequest, case_id: Id, payload: PlanSprintIn) -> CaseDetailOut:
    user = api_user(request)
    services.plan_case_into_sprint(actor=user, case_id=case_id, sprint_id=payload.sprint_id)
    return detail(user, case_id)


@router.post(
    "/{case_id}/followers",
    response=replies({201: FollowerOut}, 404),
    summary="Follow a case: be told what its requester (or its staff) is told",
)
def follow(request: HttpRequest, case_id: Id) -> Status[CaseFollower]:
    return Status(201, services.follow_case(actor=api_user(request), case_id=case_id))


@router.delete("/{case_id}/followers", response=replies({204: None}, 404), summary="Unfollow")
def unfollow(request: HttpRequest, case_id: Id) -> Status[None]:
    services.unfollow_case(actor=api_user(request), case_id=case_id)
    return Status(204, None)


@router.get("/{case_id}/timeline", response=replies({200: Page[CaseEventOut]}, 404))
def timeline(
    request: HttpRequest, case_id: Id, cursor: str | None = None, limit: Limit = 100
) -> Page[CaseEvent]:
    user = api_user(request)
    qs = selectors.case_timeline(user, selectors.access_case(user, case_id))
    return paginate(qs, cursor=cursor, limit=limit, order=("at", "id"))


@router.get("/{case_id}/follow-ups", response=replies({200: list[FollowUpOut]}, 404))
def case_follow_ups(request: HttpRequest, case_id: Id) -> list[FollowUpTask]:
    user = api_user(request)
    case = selectors.access_case(user, case_id)
    return list(selectors.follow_ups_for(user, case=case))


@router.get("/{case_id}/attachments", response=replies({200: list[AttachmentOut]}, 404))
def list_attachments(request: HttpRequest, case_id: Id) -> list[Attachment]:
    user = api_user(request)
    case = selectors.access_case(user, case_id)
    return list(selectors.case_attachments(user, case))


@router.post("/{case_id}/attachments", response=replies({201: AttachmentOut}, 404, 413, 415))
def add_attachment(
    request: HttpRequest,
    case_id: Id,
    file: File[UploadedFile],
    public: Form[bool] = True,
) -> Status[Attachment]:
    user = api_user(request)
    attachment = services.add_attachment(actor=user, case_id=case_id, upload=file, public=public)
    return Status(201, attachment)


@router.get("/{case_id}/attachments/{attachment_id}/content", response=replies({200: None}, 404))
def download_attachment(request: HttpRequest, case_id: Id, attachment_id: Id) -> FileResponse:
    user = api_user(request)
    case = selectors.access_case(user, case_id)
    attachment = selectors.case_attachments(user, case).filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound(
            _("attachment %(attachment_id)s not found") % {"attachment_id": attachment_id},
            field="attachment_id",
        )
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )


# Added last: their paths come after the static ones above.
router.add_router("", details.router)
