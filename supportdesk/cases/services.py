"""Writing cases: one function per use case, each in one transaction.

Every change appends a :class:`CaseEvent` and refreshes the case's SLA clocks from its
history (``clocks.refresh_clocks``), so a refused request leaves nothing half-written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction

from supportdesk import clock
from supportdesk.accounts.models import Organization, Team, TeamKind, User
from supportdesk.accounts.permissions import (
    Forbidden,
    NotFound,
    access_organisation,
)
from supportdesk.cases import selectors
from supportdesk.cases.clocks import calendars_of, policy_of, refresh_clocks
from supportdesk.cases.models import (
    Attachment,
    Case,
    CaseEvent,
    Channel,
    Comment,
    Environment,
    EventKind,
    FollowUpStatus,
    FollowUpTask,
    IdempotencyKey,
    Release,
    SeverityChange,
    SlaClock,
    Sprint,
)
from supportdesk.domain import sla
from supportdesk.domain.errors import DomainError
from supportdesk.domain.lifecycle import ActorKind, CaseStatus, plan_transition
from supportdesk.domain.policy import Policy
from supportdesk.domain.routing import RouteAction, decide_route, validate_callback_number
from supportdesk.domain.triage import (
    OverrideError,
    SeverityOverride,
    non_urgent_ceiling,
    triage_report,
)
from supportdesk.notifications import services as notifications
from supportdesk.notifications.models import MessageKind
from supportdesk.policies import selectors as policy_selectors

DEFAULT_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
DEFAULT_ATTACHMENT_TYPES = (
    "image/png",
    "image/jpeg",
    "image/gif",
    "application/pdf",
    "text/plain",
    "text/csv",
    "application/json",
    "application/zip",
    "message/rfc822",
)


class IdempotencyConflict(DomainError):
    """The Idempotency-Key was used before with a different request body (HTTP 409)."""


class AttachmentTooLarge(DomainError):
    """The upload exceeds ``CASE_ATTACHMENT_MAX_BYTES`` (HTTP 413)."""


class UnsupportedMediaType(DomainError):
    """The upload's content type is not in ``CASE_ATTACHMENT_TYPES`` (HTTP 415)."""


def actor_kind(user: User) -> ActorKind:
    return ActorKind.AGENT if user.is_vendor_staff else ActorKind.CUSTOMER


def _event(
    case: Case,
    *,
    at: dt.datetime,
    actor: User | None,
    kind: str,
    data: dict[str, Any],
    public: bool = True,
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, at=at, actor=actor, kind=kind, data=data, public=public
    )


def _jsonable(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    return value


def _lock(viewer: User, case_id: int) -> Case:
    """The case for a write: visible to ``viewer``, row-locked for this transaction."""
    selectors.access_case(viewer, case_id)
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("policy_version", "organization")
        .get(pk=case_id)
    )


def _touch(case: Case, now: dt.datetime, *fields: str) -> None:
    case.updated_at = now
    case.save(update_fields=[*fields, "updated_at"])


# Intake.


def fingerprint(payload: Mapping[str, Any]) -> str:
    """A stable hash of a create request's body, for idempotency."""
    text = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def open_case(
    *,
    actor: User,
    organisation_id: int,
    channel: str,
    environment: str,
    request_type: str,
    title: str,
    description: str,
    answers: Mapping[str, bool],
    details: Mapping[str, object] | None = None,
    category: str = "other",
    override_severity: int | None = None,
    override_reason: str = "",
    callback_number: str = "",
    requester_id: int | None = None,
    idempotency_key: str | None = None,
    request_fingerprint: str | None = None,
    now: dt.datetime | None = None,
) -> tuple[Case, bool]:
    """Open a case through the intake rules of the organisation's current policy, for
    every channel (INT-1): triage (SEV-2, SEV-3), not-local check (INT-3), Sev2/Sev3
    details (INT-4), routing (INT-2), the phone Sev1 follow-up (INT-5), work orders
    (RSP-3), daily review (RSP-4) and sprint planning (PRI-1).

    Returns ``(case, created)``: with an ``idempotency_key`` seen before for this actor
    and the same ``request_fingerprint``, the earlier case and ``False``; with another
    fingerprint :class:`IdempotencyConflict`. Every refusal is a :class:`DomainError`
    naming the field; nothing is written then.
    """
    now = clock.resolve(now)
    if idempotency_key:
        replay = _replay(actor, idempotency_key, request_fingerprint or "")
        if replay is not None:
            return replay, False
    try:
        with transaction.atomic():
            case = _open_case(
                actor=actor,
                organisation_id=organisation_id,
                channel=channel,
                environment=environment,
                request_type=request_type,
                title=title,
                description=description,
                answers=answers,
                details=details or {},
                category=category,
                override_severity=override_severity,
                override_reason=override_reason,
                callback_number=callback_number,
                requester_id=requester_id,
                now=now,
            )
            if idempotency_key:
                IdempotencyKey.objects.create(
                    user=actor,
                    key=idempotency_key,
                    fingerprint=request_fingerprint or "",
                    case=case,
                    created_at=now,
                )
            return case, True
    except IntegrityError:
        # A concurrent retry with the same key won the race: answer as a replay.
        if idempotency_key:
            replay = _replay(actor, idempotency_key, request_fingerprint or "")
            if replay is not None:
                return replay, False
        raise


def _replay(actor: User, key: str, fp: str) -> Case | None:
    row = IdempotencyKey.objects.filter(user=actor, key=key).select_related("case").first()
    if row is None:
        return None
    if row.fingerprint != fp:
        raise IdempotencyConflict(
            "this Idempotency-Key was already used with a different request body",
            field="Idempotency-Key",
        )
    return row.case


def _open_case(
    *,
    actor: User,
    organisation_id: int,
    channel: str,
    environment: str,
    request_type: str,
    title: str,
    description: str,
    answers: Mapping[str, bool],
    details: Mapping[str, object],
    category: str,
    override_severity: int | None,
    override_reason: str,
    callback_number: str,
    requester_id: int | None,
    now: dt.datetime,
) -> Case:
    organisation = access_organisation(actor, organisation_id)
    staff = actor.is_vendor_staff
    if channel not in Channel.values:
        raise DomainError(
            f"unknown channel {channel!r} (one of: {', '.join(Channel.values)})", field="channel"
        )
    if channel == Channel.PHONE and not staff:
        # INT-1: phone calls are logged by an agent.
        raise Forbidden("only an agent logs a phone call", field="channel")
    if environment not in Environment.values:
        raise DomainError(
            f"unknown environment {environment!r} (one of: {', '.join(Environment.values)})",
            field="environment",
        )
    if not title.strip():
        raise DomainError("a title is required", field="title")
    if override_severity is not None and not staff:
        raise Forbidden("only an agent may override the triaged severity", field="override")
    requester = _requester(actor, organisation, requester_id)
    version = policy_selectors.current_version_for(organisation)
    policy = policy_selectors.parsed(version)
    override = (
        SeverityOverride(severity=override_severity, reason=override_reason)
        if override_severity is not None
        else None
    )
    result = triage_report(
        policy=policy,
        request_type=request_type,
        answers=answers,
        category=category,
        details=details,
        override=override,
    )
    route = decide_route(
        policy=policy,
        calendars=calendars_of(version),
        now=now,
        severity=result.severity,
        request_type=request_type,
        client_region=_region_key(policy, organisation.region),
    )
    if route.action is RouteAction.REFUSE:
        raise OverrideError(route.explanation, field="severity")
    if route.needs_callback or callback_number:
        callback_number = validate_callback_number(callback_number, _phone_region(policy))
    kind = policy.request_type(request_type)
    region = route.region or organisation.region
    case = Case.objects.create(
        organization=organisation,
        requester=requester,
        opened_by=actor,
        channel=channel,
        environment=environment,
        request_type=kind.key,
        category=category,
        title=title.strip(),
        description=description,
        severity=result.severity,
        severity_reason=result.reason,
        severity_basis=str(result.basis),
        triage={
            "answers": dict(answers),
            "derived_severity": result.derived_severity,
            "derived_reason": result.derived_reason,
            "rule_index": result.rule_index,
            "clamped": result.clamped,
            "emergency": result.emergency,
            "intake": {k: _jsonable(v) for k, v in result.intake.items()},
        },
        status=CaseStatus.NEW,
        region=region,
        team=Team.objects.filter(kind=TeamKind.SUPPORT, region=region).first(),
        policy_version=version,
        received_at=now,
        callback_number=callback_number,
        route_action=str(route.action),
        route_region=route.region or "",
        route_explanation=route.explanation,
        daily_review=kind.daily_review,
        updated_at=now,
    )
    case.reference = f"SD-{case.pk:06d}"
    case.save(update_fields=["reference"])
    _event(
        case,
        at=now,
        actor=actor,
        kind=EventKind.OPENED,
        data={
            "severity": result.severity,
            "reason": result.reason,
            "basis": str(result.basis),
            "channel": channel,
            "route": {
                "action": str(route.action),
                "region": route.region,
                "explanation": route.explanation,
            },
        },
    )
    _apply_work_order(case, policy)
    _plan_sprint(case, policy, now)
    manager = organisation.account_manager
    if route.notify_account_manager and manager is not None:
        # INT-2: during support hours a Sev1 goes to the account manager as well.
        notifications.enqueue(
            kind=MessageKind.EMAIL,
            subject=f"{case.reference} Sev{case.severity}: {case.title}",
            body=f"{organisation.name} reported a Sev{case.severity}.\n\n{route.explanation}",
            dedupe_key=f"case:{case.pk}:account-manager",
            user=manager,
            severity=case.severity,
            now=now,
        )
    if (
        channel == Channel.PHONE
        and result.severity == policy.severities[0].level
        and policy.intake.phone_sev1_follow_up
    ):
        _open_follow_up(case, actor, now)
    refresh_clocks(case, now=now)
    return case


def _requester(actor: User, organisation: Organization, requester_id: int | None) -> User:
    if requester_id is None or requester_id == actor.pk:
        return actor
    if not actor.is_vendor_staff:
        raise Forbidden("customers open cases as themselves", field="requester_id")
    requester = User.objects.filter(pk=requester_id, organization=organisation).first()
    if requester is None:
        raise NotFound(
            f"user {requester_id} is not a member of {organisation.name}", field="requester_id"
        )
    return requester


def _region_key(policy: Policy, region: str) -> str | None:
    keys = {r.key for r in policy.regions}
    return region if region in keys else None


def _phone_region(policy: Policy) -> str | None:
    # Numbers without a + prefix are read in the vendor's home country.
    return "US" if policy.default_region == "na" else None


def _apply_work_order(case: Case, policy: Policy) -> None:
    # RSP-3: the lowest severity has no response target; it becomes a work order for the
    # engineering team that owns the request type.
    lowest = policy.severities[-1].level
    if case.severity != lowest:
        if case.work_order:
            case.work_order = False
            case.save(update_fields=["work_order"])
        return
    owner = policy.request_type(case.request_type).owner_team
    team = Team.objects.filter(key=owner).first() if owner else None
    case.work_order = True
    if team is not None:
        case.team = team
    case.save(update_fields=["work_order", "team"])


def _plan_sprint(case: Case, policy: Policy, now: dt.datetime) -> None:
    """PRI-1: Critical joins the current sprint at once; others go into future sprints,
    the less severe the later (one sprint further per level)."""
    days = policy.routing.sprint_days
    today = now.date()
    current = Sprint.objects.filter(starts_on__lte=today, ends_on__gte=today).first()
    if current is None:
        current = _sprint_starting(today, days)
    if case.severity in policy.routing.current_sprint_severities:
        target = current
    else:
        top = min(policy.routing.current_sprint_severities, default=1)
        ahead = max(case.severity - top, 1)
        start = current.ends_on + dt.timedelta(days=1 + (ahead - 1) * days)
        target = Sprint.objects.filter(starts_on=start).first() or _sprint_starting(start, days)
    if case.sprint_id != target.pk:
        before = case.sprint.name if case.sprint_id and case.sprint else None
        case.sprint = target
        case.save(update_fields=["sprint"])
        _event(
            case,
            at=now,
            actor=None,
            kind=EventKind.SPRINT,
            data={"from": before, "to": target.name},
            public=False,
        )


def _sprint_starting(start: dt.date, days: int) -> Sprint:
    sprint, _ = Sprint.objects.get_or_create(
        name=f"Sprint {start.isoformat()}",
        defaults={"starts_on": start, "ends_on": start + dt.timedelta(days=days - 1)},
    )
    return sprint


def _open_follow_up(case: Case, actor: User, now: dt.datetime) -> None:
    # INT-5: a Sev1 by phone is followed up by a detailed email to the account manager.
    manager = case.organization.account_manager
    task = FollowUpTask.objects.create(
        case=case,
        description=(
            f"Send the account manager a detailed email describing {case.reference} "
            "(reported by phone as Sev1)."
        ),
        assignee=actor,
        created_at=now,
    )
    _event(
        case,
        at=now,
        actor=actor,
        kind=EventKind.FOLLOW_UP,
        data={
            "task": task.pk,
            "status": "open",
            "account_manager": manager.pk if manager else None,
        },
        public=False,
    )


# Lifecycle.


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
    now = clock.resolve(now)
    with transaction.atomic():
        case = _lock(actor, case_id)
        try:
            target = CaseStatus(to)
        except ValueError:
            raise DomainError(
                f"unknown status {to!r} (one of: {', '.join(CaseStatus)})", field="to"
            ) from None
        plan = plan_transition(CaseStatus(case.status), target, actor_kind(actor))
        if plan.needs_agreement and not agreement.strip():
            raise DomainError(
                "record how the customer agreed to the resolution (RSP-5)", field="agreement"
            )
        return _apply_transition(case, actor, target, note=note, agreement=agreement, now=now)


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
    data: dict[str, Any] = {"from": before, "to": str(target)}
    if note:
        data["note"] = note
    fields = ["status"]
    if target == CaseStatus.ACKNOWLEDGED and case.first_response_at is None:
        case.first_response_at = now
        data["response"] = True
        fields.append("first_response_at")
    if target == CaseStatus.RESOLVED:
        case.resolved_at = now
        case.resolution_agreement = agreement.strip() or "agreed by the customer"
        data["agreement"] = case.resolution_agreement
        fields += ["resolved_at", "resolution_agreement"]
    if target == CaseStatus.CLOSED:
        case.closed_at = now
        fields.append("closed_at")
    if before in (CaseStatus.RESOLVED, CaseStatus.CLOSED) and target not in (
        CaseStatus.RESOLVED,
        CaseStatus.CLOSED,
    ):
        data["reopened"] = True
        case.resolved_at = None
        case.closed_at = None
        fields += ["resolved_at", "closed_at"]
    case.status = target
    _touch(case, now, *fields)
    _event(case, at=now, actor=actor, kind=EventKind.STATUS, data=data)
    refresh_clocks(case, now=now, force=target == CaseStatus.CLOSED)
    return case


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
    now = clock.resolve(now)
    if not body.strip():
        raise DomainError("a comment needs a body", field="body")
    if channel not in Channel.values:
        raise DomainError(f"unknown channel {channel!r}", field="channel")
    staff = actor.is_vendor_staff
    if not public and not staff:
        raise Forbidden("customers cannot post internal comments", field="public")
    with transaction.atomic():
        case = _lock(actor, case_id)
        comment = Comment.objects.create(
            case=case, author=actor, body=body, public=public, channel=channel, created_at=now
        )
        data: dict[str, Any] = {"comment": comment.pk, "public": public, "channel": channel}
        response = staff and public and case.status != CaseStatus.CLOSED
        if response:
            data["response"] = True
            if case.first_response_at is None:
                case.first_response_at = now
                _touch(case, now, "first_response_at")
        _event(case, at=now, actor=actor, kind=EventKind.COMMENT, data=data, public=public)
        if not staff and case.status == CaseStatus.WAITING_ON_CUSTOMER:
            _apply_transition(
                case, actor, CaseStatus.IN_PROGRESS, note="customer replied", agreement="", now=now
            )
        else:
            refresh_clocks(case, now=now)
        return comment


def change_severity(
    *,
    actor: User,
    case_id: int,
    severity: int,
    reason: str,
    now: dt.datetime | None = None,
) -> Case:
    """SEV-4: an agent changes the severity with a reason; recorded who/when/from/to/why,
    the clocks re-target under the pinned policy, time-to-downgrade is kept for Sev1."""
    now = clock.resolve(now)
    if not actor.is_vendor_staff:
        raise Forbidden("only support staff change a case's severity", field="severity")
    if not reason.strip():
        raise DomainError("a severity change needs a reason (SEV-4)", field="reason")
    with transaction.atomic():
        case = _lock(actor, case_id)
        if case.status == CaseStatus.CLOSED:
            raise DomainError(
                "a closed case's severity cannot change; reopen it first", field="severity"
            )
        policy = policy_of(case)
        levels = [s.level for s in policy.severities]
        if severity not in levels:
            raise DomainError(f"unknown severity {severity} (defined: {levels})", field="severity")
        if severity == case.severity:
            raise DomainError(f"the case is already Sev{severity}", field="severity")
        ceiling = non_urgent_ceiling(policy=policy)
        kind = policy.request_type(case.request_type)
        if kind.non_urgent and ceiling is not None and severity < ceiling:
            # SEV-3: non-urgent request types never take the emergency path.
            raise OverrideError(
                f"{kind.name} is a non-urgent request type and cannot be Sev{severity}",
                field="severity",
            )
        before = case.severity
        SeverityChange.objects.create(
            case=case, at=now, by=actor, from_severity=before, to_severity=severity, reason=reason
        )
        case.severity = severity
        case.severity_reason = reason.strip()
        _touch(case, now, "severity", "severity_reason")
        _event(
            case,
            at=now,
            actor=actor,
            kind=EventKind.SEVERITY,
            data={"from": before, "to": severity, "reason": reason.strip()},
        )
        rows = list(CaseEvent.objects.filter(case=case).order_by("at", "id"))
        from supportdesk.cases.clocks import domain_events

        downgrade = sla.time_to_downgrade(
            events=domain_events(case, rows), from_severity=policy.severities[0].level
        )
        if downgrade is not None and case.time_to_downgrade_seconds is None:
            case.time_to_downgrade_seconds = int(downgrade.total_seconds())
            case.save(update_fields=["time_to_downgrade_seconds"])
        _apply_work_order(case, policy)
        _plan_sprint(case, policy, now)
        refresh_clocks(case, now=now)
        return case


def assign_case(
    *, actor: User, case_id: int, assignee_id: int | None, now: dt.datetime | None = None
) -> Case:
    now = clock.resolve(now)
    if not actor.is_vendor_staff:
        raise Forbidden("only support staff assign cases", field="assignee_id")
    with transaction.atomic():
        case = _lock(actor, case_id)
        assignee = None
        if assignee_id is not None:
            assignee = User.objects.filter(pk=assignee_id).first()
            if assignee is None or not assignee.is_vendor_staff:
                raise DomainError(f"user {assignee_id} is not support staff", field="assignee_id")
        before = case.assignee_id
        case.assignee = assignee
        _touch(case, now, "assignee")
        _event(
            case,
            at=now,
            actor=actor,
            kind=EventKind.ASSIGNED,
            data={"from": before, "to": assignee_id},
            public=False,
        )
        return case


def add_attachment(
    *,
    actor: User,
    case_id: int,
    upload: UploadedFile[bytes],
    public: bool = True,
    now: dt.datetime | None = None,
) -> Attachment:
    """Store an upload through Django's storage API after checking its size and type."""
    now = clock.resolve(now)
    limit = int(getattr(settings, "CASE_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_ATTACHMENT_BYTES))
    allowed = tuple(getattr(settings, "CASE_ATTACHMENT_TYPES", DEFAULT_ATTACHMENT_TYPES))
    size = upload.size or 0
    if size > limit:
        raise AttachmentTooLarge(
            f"the file is {size} bytes; the limit is {limit} bytes", field="file"
        )
    content_type = (upload.content_type or "").split(";")[0].strip().lower()
    if content_type not in allowed:
        raise UnsupportedMediaType(
            f"content type {content_type or 'unknown'!r} is not accepted (allowed: {', '.join(allowed)})",
            field="file",
        )
    if not public and not actor.is_vendor_staff:
        raise Forbidden("customers cannot add internal attachments", field="public")
    with transaction.atomic():
        case = _lock(actor, case_id)
        name = (upload.name or "upload").rsplit("/", 1)[-1][:200]
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
        _event(
            case,
            at=now,
            actor=actor,
            kind=EventKind.ATTACHMENT,
            data={"attachment": attachment.pk, "name": name, "size": size},
            public=public,
        )
        return attachment


def complete_follow_up(
    *, actor: User, task_id: int, note: str = "", now: dt.datetime | None = None
) -> FollowUpTask:
    """INT-5: mark the follow-up email as sent. Stays open until someone does this."""
    now = clock.resolve(now)
    if not actor.is_vendor_staff:
        raise Forbidden("only support staff complete follow-up tasks", field="task_id")
    with transaction.atomic():
        task = (
            selectors.follow_ups_for(actor)
            .select_for_update(of=("self",))
            .filter(pk=task_id)
            .first()
        )
        if task is None:
            raise NotFound(f"follow-up task {task_id} not found", field="task_id")
        if task.status == FollowUpStatus.DONE:
            raise DomainError("the follow-up task is already done", field="task_id")
        task.status = FollowUpStatus.DONE
        task.done_at = now
        task.done_by = actor
        task.note = note
        task.save(update_fields=["status", "done_at", "done_by", "note"])
        _event(
            task.case,
            at=now,
            actor=actor,
            kind=EventKind.FOLLOW_UP,
            data={"task": task.pk, "status": "done", "note": note},
            public=False,
        )
        return task


def create_sprint(*, actor: User, name: str, starts_on: dt.date, ends_on: dt.date) -> Sprint:
    if not actor.is_vendor_staff:
        raise Forbidden("only support staff plan sprints", field="name")
    if ends_on < starts_on:
        raise DomainError("a sprint ends on or after its start", field="ends_on")
    if Sprint.objects.filter(name=name).exists():
        raise DomainError(f"sprint {name!r} exists", field="name")
    return Sprint.objects.create(name=name, starts_on=starts_on, ends_on=ends_on)


def create_release(
    *,
    actor: User,
    version: str,
    planned_for: dt.date | None = None,
    notes: str = "",
    now: dt.datetime | None = None,
) -> Release:
    now = clock.resolve(now)
    if not actor.is_vendor_staff:
        raise Forbidden("only support staff record releases", field="version")
    if Release.objects.filter(version=version).exists():
        raise DomainError(f"release {version!r} exists", field="version")
    return Release.objects.create(
        version=version, planned_for=planned_for, notes=notes, created_at=now
    )


def link_release(
    *, actor: User, case_id: int, release_id: int, now: dt.datetime | None = None
) -> Case:
    """RSP-5: link the release carrying the case's permanent fix."""
    now = clock.resolve(now)
    if not actor.is_vendor_staff:
        raise Forbidden("only support staff link releases", field="release_id")
    with transaction.atomic():
        case = _lock(actor, case_id)
        release = Release.objects.filter(pk=release_id).first()
        if release is None:
            raise NotFound(f"release {release_id} not found", field="release_id")
        case.release = release
        _touch(case, now, "release")
        _event(case, at=now, actor=actor, kind=EventKind.RELEASE, data={"release": release.version})
        return case


def set_escalated(*, case: Case, escalated: bool, now: dt.datetime | None = None) -> Case:
    """PRI-2: for the escalations app — flag the case so it ranks first in queues."""
    now = clock.resolve(now)
    if case.escalated != escalated:
        case.escalated = escalated
        _touch(case, now, "escalated")
        _event(case, at=now, actor=None, kind=EventKind.ESCALATION, data={"escalated": escalated})
    return case


# The periodic sweep.


def scan_deadlines(*, now: dt.datetime | None = None, batch: int = 200) -> int:
    """RSP-6: refresh the clocks whose next deadline has passed, recording warnings and
    breaches once each. Safe to run concurrently: on PostgreSQL rows are claimed with
    ``SKIP LOCKED``. Returns the number of cases refreshed."""
    now = clock.resolve(now)
    with transaction.atomic():
        qs = (
            SlaClock.objects.filter(next_deadline_at__lte=now)
            .exclude(case__status=CaseStatus.CLOSED)
            .order_by("next_deadline_at")
        )
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        case_ids = sorted({c.case_id for c in qs[:batch]})
        cases = (
            Case.objects.filter(pk__in=case_ids)
            .select_related("policy_version")
            .select_for_update(of=("self",))
        )
        count = 0
        for case in cases:
            refresh_clocks(case, now=now)
            count += 1
        return count
