"""Changing a case: transitions, comments, assignment, attachments, follow-ups and
the escalated flag (a severity change is in ``severity.py``)."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext

from supportdesk import clock
from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import (
    NotFound,
    require,
)
from supportdesk.cases import events, selectors
from supportdesk.cases import notices as case_mail
from supportdesk.cases.clocks import policy_of, refresh_clocks
from supportdesk.cases.models import (
    Attachment,
    Case,
    Channel,
    Comment,
    FollowUpStatus,
    FollowUpTask,
)
from supportdesk.cases.permissions import (
    can_assign_case,
    can_complete_follow_up,
    can_write_internally,
)
from supportdesk.cases.selectors import access_case
from supportdesk.cases.services.files import attachment_name
from supportdesk.cases.services.followers import mark_customer_activity
from supportdesk.cases.services.records import (
    AttachmentTooLarge,
    UnsupportedMediaType,
    _touch,
    actor_kind,
    rank,
    stamp,
)
from supportdesk.conf import desk_settings
from supportdesk.domain.errors import DomainError
from supportdesk.domain.lifecycle import CaseStatus, plan_transition
from supportdesk.domain.notices import NoticeEvent
from supportdesk.transactions import retry_on_conflict


@retry_on_conflict
def transition_case(
    *,
    actor: User,
    case_id: int,
    to: str,
    note: str = "",
    agreement: str = "",
    now: dt.datetime | None = None,
) -> Case:
    """Move the case along the lifecycle table (``domain.lifecycle``).

    :class:`IllegalTransition` (409) names the allowed targets. An agent resolving must
    record the customer's agreement (RSP-5). Acknowledging counts as first response.
    """
    with transaction.atomic():
        case = access_case(actor, case_id, lock=True)
        now = stamp(case, now)
        try:
            target = CaseStatus(to)
        except ValueError:
            raise DomainError(
                gettext("unknown status '%(to)s' (one of: %(choices)s)")
                % {"to": to, "choices": ", ".join(CaseStatus)},
                field="to",
            ) from None
        plan = plan_transition(CaseStatus(case.status), target, actor_kind(actor))
        if plan.needs_agreement and not agreement.strip():
            raise DomainError(
                gettext("record how the customer agreed to the resolution (RSP-5)"),
                field="agreement",
            )
        return _apply_transition(case, actor, target, note=note, agreement=agreement, now=now)


def close_as(case: Case, actor: User, *, note: str, now: dt.datetime) -> Case:
    """Close the locked ``case`` from any status, outside the lifecycle's transitions:
    for a duplicate merged into another case (``services.merge``), whose work goes on
    there. A closed case is left as it is."""
    if case.status == CaseStatus.CLOSED:
        return case
    return _apply_transition(case, actor, CaseStatus.CLOSED, note=note, agreement="", now=now)


def _apply_transition(
    case: Case,
    actor: User | None,
    target: CaseStatus,
    *,
    note: str,
    agreement: str,
    now: dt.datetime,
) -> Case:
    before = case.status
    fields = ["status"]
    # Acknowledging counts as the first response.
    response = target == CaseStatus.ACKNOWLEDGED and case.first_response_at is None
    if response:
        case.first_response_at = now
        fields.append("first_response_at")
    if target == CaseStatus.RESOLVED:
        case.resolved_at = now
        case.resolution_agreement = agreement.strip() or "agreed by the customer"
        fields += ["resolved_at", "resolution_agreement"]
    if target == CaseStatus.CLOSED:
        case.closed_at = now
        fields.append("closed_at")
    reopened = before in (CaseStatus.RESOLVED, CaseStatus.CLOSED) and target not in (
        CaseStatus.RESOLVED,
        CaseStatus.CLOSED,
    )
    if reopened:
        case.resolved_at = None
        case.closed_at = None
        fields += ["resolved_at", "closed_at"]
    case.status = target
    by_customer = actor is not None and not actor.is_vendor_staff
    if by_customer:
        fields += mark_customer_activity(case, now)
    entry = events.StatusChanged(
        before=before,
        after=str(target),
        note=note,
        response=response,
        agreement=case.resolution_agreement if target == CaseStatus.RESOLVED else "",
        reopened=reopened,
    )
    event = events.record(case, entry, at=now, actor=actor)
    refresh_clocks(case, now=now, force=target == CaseStatus.CLOSED)
    _touch(case, now, *fields, "queue_due_at")
    case_mail.notify(
        NoticeEvent.CUSTOMER_STATUS if by_customer else NoticeEvent.STATUS_CHANGED,
        case=case,
        actor=actor,
        key=str(event.pk),
        text=note,
        data=event.data,
        status=str(target),
        now=now,
    )
    return case


@retry_on_conflict
def add_comment(
    *,
    actor: User,
    case_id: int,
    body: str,
    public: bool = True,
    channel: str = Channel.PORTAL,
    now: dt.datetime | None = None,
) -> Comment:
    """Add a public or internal comment. A public agent reply is a response (the first
    one is the first response); a customer's reply on any channel ends waiting on the
    customer and restarts the clock. Customers cannot post internal comments."""
    _check_comment(body, channel)
    with transaction.atomic():
        case = access_case(actor, case_id, lock=True)
        return comment_on(case, actor=actor, body=body, public=public, channel=channel, now=now)


def _check_comment(body: str, channel: str) -> None:
    if not body.strip():
        raise DomainError(gettext("a comment needs a body"), field="body")
    if channel not in Channel.values:
        raise DomainError(
            gettext("unknown channel '%(channel)s'") % {"channel": channel}, field="channel"
        )


def comment_on(
    case: Case,
    *,
    actor: User,
    body: str,
    public: bool = True,
    channel: str = Channel.PORTAL,
    now: dt.datetime | None = None,
) -> Comment:
    """:func:`add_comment` on a case the caller holds: read and locked through
    ``access_case(actor, …, lock=True)`` (or ``access_cases``) in the caller's
    transaction, which is the unit: a refusal fails all of it (mail intake, which then
    stores the message as failed in a transaction of its own). The case is not read
    again and no savepoint is taken."""
    assert transaction.get_connection().in_atomic_block, "the caller's transaction holds the case"
    _check_comment(body, channel)
    require(
        public or can_write_internally(actor),
        gettext("customers cannot post internal comments"),
        field="public",
    )
    staff = actor.is_vendor_staff
    now = stamp(case, now)
    comment = Comment.objects.create(
        case=case, author=actor, body=body, public=public, channel=channel, created_at=now
    )
    # A public agent reply is a response (the first one the first response).
    response = staff and public and case.status != CaseStatus.CLOSED
    first = response and case.first_response_at is None
    if first:
        case.first_response_at = now
    entry = events.Commented(comment.pk, shown=public, channel=channel, response=response)
    events.record(case, entry, at=now, actor=actor)
    case_mail.comment_added(case=case, comment=comment, response=response, now=now)
    if not staff and case.status == CaseStatus.WAITING_ON_CUSTOMER:
        # The transition marks the customer's activity, in its one write of the row.
        _apply_transition(
            case, actor, CaseStatus.IN_PROGRESS, note="customer replied", agreement="", now=now
        )
        return comment
    # The unseen-activity mark goes into the change's one write of the case row.
    mark: list[str] = []
    if not staff:
        mark = mark_customer_activity(case, now)
    elif response:  # an agent answered in public: they have seen it (a note leaves it)
        mark = mark_customer_activity(case, None)
    due = case.queue_due_at
    refresh_clocks(case, now=now)
    if first:
        _touch(case, now, "first_response_at", "queue_due_at", *mark)
    else:
        moved = ["queue_due_at"] if case.queue_due_at != due else []
        case.save(update_fields=[*moved, *mark])
    return comment


@retry_on_conflict
def assign_case(
    *, actor: User, case_id: int, assignee_id: int | None, now: dt.datetime | None = None
) -> Case:
    with transaction.atomic():
        case = access_case(actor, case_id, lock=True)
        require(
            can_assign_case(actor, case),
            gettext("only support staff assign cases"),
            field="assignee_id",
        )
        now = stamp(case, now)
        assignee = None
        if assignee_id is not None:
            assignee = User.objects.filter(pk=assignee_id).first()
            if assignee is None or not assignee.is_vendor_staff:
                raise DomainError(
                    gettext("user %(assignee_id)s is not support staff")
                    % {"assignee_id": assignee_id},
                    field="assignee_id",
                )
        before = case.assignee_id
        case.assignee = assignee
        _touch(case, now, "assignee")
        event = events.record(case, events.Assigned(before, assignee_id), at=now, actor=actor)
        if assignee is not None:
            case_mail.notify(
                NoticeEvent.ASSIGNED, case=case, actor=actor, key=str(event.pk), now=now
            )
        return case


def add_attachment(
    *,
    actor: User,
    case_id: int,
    upload: UploadedFile[bytes],
    public: bool = True,
    tell: bool = True,
    now: dt.datetime | None = None,
) -> Attachment:
    """Store an upload through Django's storage API after checking its size and type.

    A file the customer's side adds tells the support side as their reply does, and
    marks the case with unseen customer activity; ``tell=False`` where the reply it came
    with tells of it (a message's attachments)."""
    limit = desk_settings.attachment_max_bytes
    allowed = desk_settings.attachment_types
    size = upload.size or 0
    if size > limit:
        raise AttachmentTooLarge(
            gettext("the file is %(size)s bytes; the limit is %(limit)s bytes")
            % {"size": size, "limit": limit},
            field="file",
        )
    content_type = (upload.content_type or "").split(";")[0].strip().lower()
    if content_type not in allowed:
        raise UnsupportedMediaType(
            gettext("content type '%(type)s' is not accepted (allowed: %(allowed)s)")
            % {"type": content_type or "unknown", "allowed": ", ".join(allowed)},
            field="file",
        )
    with transaction.atomic():
        case = access_case(actor, case_id, lock=True)
        require(
            public or can_write_internally(actor),
            gettext("customers cannot add internal attachments"),
            field="public",
        )
        now = stamp(case, now)
        name = attachment_name(upload.name)
        attachment = Attachment(
            case=case,
            uploaded_by=actor,
            name=name,
            content_type=content_type,
            size=size,
            public=public,
            created_at=now,
        )
        attachment.file.save(name, upload, save=False)
        attachment.save()
        entry = events.AttachmentAdded(attachment.pk, name, size, shown=public)
        events.record(case, entry, at=now, actor=actor)
        if tell and not actor.is_vendor_staff:
            _tell_of_customer_file(case, attachment, actor, now)
        return attachment


def _tell_of_customer_file(
    case: Case, attachment: Attachment, actor: User, now: dt.datetime
) -> None:
    """The support side hears of the customer's file as of their reply, and the case
    is marked with unseen customer activity."""
    case_mail.tell_later(
        NoticeEvent.CUSTOMER_REPLY,
        case=case,
        actor=actor,
        key=f"attachment:{attachment.pk}",
        text=attachment.name,
        now=now,
    )
    case.save(update_fields=mark_customer_activity(case, now))


@retry_on_conflict
def complete_follow_up(
    *, actor: User, task_id: int, note: str = "", now: dt.datetime | None = None
) -> FollowUpTask:
    """INT-5: mark the follow-up email as sent. Stays open until someone does this."""
    now = clock.resolve(now)
    require(
        can_complete_follow_up(actor),
        gettext("only support staff complete follow-up tasks"),
        field="task_id",
    )
    with transaction.atomic():
        task = (
            selectors.follow_ups_for(actor)
            .select_for_update(of=("self",))
            .filter(pk=task_id)
            .first()
        )
        if task is None:
            raise NotFound(
                gettext("follow-up task %(task_id)s not found") % {"task_id": task_id},
                field="task_id",
            )
        if task.status == FollowUpStatus.DONE:
            raise DomainError(gettext("the follow-up task is already done"), field="task_id")
        task.status = FollowUpStatus.DONE
        task.done_at = now
        task.done_by = actor
        task.note = note
        task.save(update_fields=["status", "done_at", "done_by", "note"])
        entry = events.FollowUp(task.pk, status="done", note=note)
        events.record(task.case, entry, at=now, actor=actor)
        return task


def set_escalated(*, case: Case, escalated: bool, now: dt.datetime | None = None) -> Case:
    """PRI-2: for the escalations app — flag the case so it ranks first in queues."""
    now = clock.resolve(now)
    if case.escalated != escalated:
        case.escalated = escalated
        _touch(case, now, "escalated", rank(case, policy_of(case)))
        events.record(case, events.Escalation(escalated=escalated), at=now, actor=None)
    return case
