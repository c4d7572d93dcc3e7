"""Writing escalations: one function per use case, each in one transaction.

Every step is recorded twice: on the escalation's own log (:class:`EscalationEvent`)
and, when the escalation references an incident, on the case timeline (a ``CaseEvent``
of kind ``escalation``). Every message to the requester, the manager and the
stakeholders goes through the notifications outbox in the same transaction (ESC-5,
ESC-6). The rules themselves live in :mod:`supportdesk.domain.escalation`.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction

from supportdesk import clock
from supportdesk.accounts.models import Organization, Role, Team, TeamKind, User
from supportdesk.accounts.permissions import (
    Forbidden,
    NotFound,
    access_organisation,
    may_act_for_organisation,
)
from supportdesk.cases.models import Case, CaseEvent, EventKind
from supportdesk.cases.services import set_escalated
from supportdesk.domain.calendars import BusinessCalendar, build_calendars
from supportdesk.domain.errors import DomainError
from supportdesk.domain.escalation import (
    IncidentFacts,
    Verdict,
    assess_escalation_request,
    choose_escalation_manager_region,
    reminder_schedule,
    validate_closure_reason,
)
from supportdesk.domain.policy import Policy
from supportdesk.domain.policy.model import Escalation as EscalationRules
from supportdesk.escalations import selectors
from supportdesk.escalations.models import (
    LIVE_STATUSES,
    PENDING_STATUSES,
    Escalation,
    EscalationChannel,
    EscalationEvent,
    EscalationEventKind,
    EscalationStatus,
    EscalationSubscription,
)
from supportdesk.notifications.models import MessageKind
from supportdesk.notifications.services import enqueue
from supportdesk.policies.models import Policy as PolicyRow
from supportdesk.policies.models import PolicyVersion
from supportdesk.policies.selectors import NoPolicy, current_version_for, parsed

_STATUS_FOR_VERDICT = {
    Verdict.DECLINED: EscalationStatus.DECLINED,
    Verdict.PARTNER_FIRST: EscalationStatus.PARTNER_FIRST,
    Verdict.NEEDS_DECISION: EscalationStatus.NEEDS_DECISION,
    Verdict.QUALIFIES: EscalationStatus.REQUESTED,
}


class EscalationConflict(DomainError):
    """The step does not fit the escalation's current state (HTTP 409)."""


# -- plumbing ---------------------------------------------------------------------------


def _policy(esc: Escalation) -> Policy:
    return parsed(esc.policy_version)


def _rules(policy: Policy) -> EscalationRules:
    if policy.escalation is None:
        raise DomainError(f"policy {policy.id!r} has escalations switched off", field="policy")
    return policy.escalation


@functools.lru_cache(maxsize=32)
def _calendars_for(version_id: int, sha256: str) -> dict[str, BusinessCalendar]:
    return build_calendars(parsed(PolicyVersion.objects.get(pk=version_id)).calendars)


def _calendars(esc: Escalation) -> dict[str, BusinessCalendar]:
    return _calendars_for(esc.policy_version_id, esc.policy_version.sha256)


def _region_calendar(esc: Escalation, region: str) -> BusinessCalendar:
    policy = _policy(esc)
    try:
        return _calendars(esc)[policy.region(region).calendar]
    except KeyError as exc:
        raise DomainError(f"{region!r} is not a region of this policy", field="region") from exc


def _client_region(esc: Escalation) -> str | None:
    """The client's region key when the policy knows it (ESC-9), else ``None``."""
    region = esc.organization.region if esc.organization else ""
    return region if region in {r.key for r in _policy(esc).regions} else None


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _record(
    esc: Escalation,
    kind: EscalationEventKind,
    *,
    actor: User | None,
    now: dt.datetime,
    data: Mapping[str, Any] | None = None,
    public: bool = True,
) -> EscalationEvent:
    """The step on the escalation's log and on the case timeline (when there is a case)."""
    payload = dict(data or {})
    event = EscalationEvent.objects.create(
        escalation=esc, at=now, actor=actor, kind=kind, data=payload
    )
    if esc.case_id is not None:
        # The cases app has no public "append an event" service yet; the timeline row
        # is written here with the cases app's own kind for escalations.
        CaseEvent.objects.create(
            case_id=esc.case_id,
            at=now,
            actor=actor,
            kind=EventKind.ESCALATION,
            public=public,
            data={"escalation": esc.pk, "step": str(kind), **payload},
        )
    return event


def _save(esc: Escalation, now: dt.datetime, *fields: str) -> None:
    esc.updated_at = now
    esc.save(update_fields=[*fields, "updated_at"])


def _severity(esc: Escalation) -> int | None:
    return esc.case.severity if esc.case_id and esc.case else None


def _tell(
    esc: Escalation,
    *,
    key: str,
    subject: str,
    body: str,
    now: dt.datetime,
    requester: bool = True,
    stakeholders: bool = True,
    manager: bool = False,
) -> None:
    """Queue one message per recipient; ``key`` makes a retry enqueue nothing new."""
    users: dict[int, User] = {}
    addresses: set[str] = set()
    if requester:
        users[esc.requester_id] = esc.requester
    if manager and esc.manager_id is not None and esc.manager is not None:
        users[esc.manager_id] = esc.manager
    if stakeholders:
        for sub in selectors.escalation_subscriptions(esc):
            if sub.user_id is not None and sub.user is not None:
                users[sub.user_id] = sub.user
            elif sub.email:
                addresses.add(sub.email.lower())
    subject = f"[Escalation {esc.pk}] {subject}"
    for user_id, user in sorted(users.items()):
        enqueue(
            kind=MessageKind.EMAIL,
            subject=subject,
            body=body,
            user=user,
            severity=_severity(esc),
            dedupe_key=f"escalation:{esc.pk}:{key}:user:{user_id}",
            now=now,
        )
    for address in sorted(addresses):
        enqueue(
            kind=MessageKind.EMAIL,
            subject=subject,
            body=body,
            address=address,
            severity=_severity(esc),
            dedupe_key=f"escalation:{esc.pk}:{key}:to:{address}"[:200],
            now=now,
        )


def _lock(viewer: User, escalation_id: int) -> Escalation:
    """The escalation for a write: visible to ``viewer``, row-locked for this transaction."""
    selectors.access_escalation(viewer, escalation_id)
    return (
        Escalation.objects.select_for_update(of=("self",))
        .select_related("case", "organization", "requester", "manager", "policy_version")
        .get(pk=escalation_id)
    )


def _require_decider(actor: User) -> None:
    if not selectors.may_decide(actor):
        raise Forbidden("only escalation managers and admins may do this", field="actor")


def _require_status(esc: Escalation, allowed: tuple[str, ...], doing: str) -> None:
    if esc.status not in allowed:
        raise EscalationConflict(
            f"cannot {doing}: the escalation is {esc.status} (needs one of: {', '.join(allowed)})",
            field="status",
        )


# -- the request (ESC-1..5) -------------------------------------------------------------


def _find_incident(reference: str) -> Case | None:
    ref = reference.strip()
    if not ref:
        return None
    case = Case.objects.select_related("organization", "policy_version").filter(
        reference__iexact=ref
    )
    found = case.first()
    if found is None and ref.isdigit():
        found = (
            Case.objects.select_related("organization", "policy_version")
            .filter(pk=int(ref))
            .first()
        )
    return found


def _version_for(organisation: Organization | None) -> PolicyVersion:
    if organisation is not None:
        return current_version_for(organisation)
    row = PolicyRow.objects.filter(key=settings.DEFAULT_POLICY).first()
    if row is None or row.current_version_id is None:
        raise NoPolicy("no default policy loaded", field="policy")
    return PolicyVersion.objects.get(pk=row.current_version_id)


def _escalation_team(region: str | None) -> Team | None:
    if not region:
        return None
    return Team.objects.filter(kind=TeamKind.ESCALATION, region=region).order_by("id").first()


def request_escalation(
    *,
    requester: User,
    form: Mapping[str, object],
    channel: str = EscalationChannel.PORTAL,
    organisation_id: int | None = None,
    now: dt.datetime | None = None,
) -> Escalation:
    """Record an escalation request from any channel (web, API, email) and assess it.

    The request is always stored, and the requester is told the outcome (ESC-5):
    declined at once for no incident, another organisation's incident or missing
    mandatory fields (ESC-1, ESC-4); sent to the partner first for a partner-built
    extension (ESC-3); flagged ``needs_decision`` outside production or without a
    tangible impact (ESC-2); else ``requested``, for the escalation team to accept.
    Nothing is ever accepted here. ``form["incident"]`` is a case reference or id.
    Raises :class:`DomainError` (field ``policy``) when the policy has escalations off.
    """
    now = clock.resolve(now)
    if channel not in EscalationChannel.values:
        raise DomainError(f"unknown channel {channel!r}", field="channel")
    form = {str(k): v for k, v in form.items()}
    reference = str(form.get("incident") or "").strip()
    case = _find_incident(reference)
    own_case = case is not None and may_act_for_organisation(requester, case.organization)
    if own_case and case is not None:
        organisation: Organization | None = case.organization
    elif organisation_id is not None:
        organisation = access_organisation(requester, organisation_id)
    else:
        organisation = requester.organization
    version = case.policy_version if own_case and case is not None else _version_for(organisation)
    policy = parsed(version)
    facts = None
    if case is not None:
        facts = IncidentFacts(
            organisation_id=str(case.organization_id),
            environment=case.environment,
            severity=case.severity,
            partner_extension=bool((case.triage or {}).get("partner_extension")),
            partner_org_id=str(case.organization.partner_id)
            if case.organization.partner_id
            else None,
        )
    assessment = assess_escalation_request(
        policy=policy,
        form=form,
        incident=facts,
        requester_org_id=str(organisation.pk) if organisation else "",
        now=now,
    )
    status = _STATUS_FOR_VERDICT[assessment.verdict]
    with transaction.atomic():
        esc = Escalation.objects.create(
            # Another organisation's incident is never linked: its timeline is not ours.
            case=case if own_case else None,
            organization=organisation,
            requester=requester,
            channel=channel,
            form={
                k: v if isinstance(v, str | int | bool | None) else str(v) for k, v in form.items()
            },
            incident_reference=reference[:60],
            business_impact=str(form.get("business_impact") or ""),
            policy_version=version,
            status=status,
            verdict=str(assessment.verdict),
            assessment_reasons=[{"key": r.key, "label": r.label} for r in assessment.reasons],
            missing_fields=list(assessment.missing_fields),
            assessment=assessment.explanation,
            partner=Organization.objects.filter(pk=int(assessment.partner_org_id)).first()
            if assessment.partner_org_id
            else None,
            requested_at=now,
            updated_at=now,
        )
        _record(
            esc,
            EscalationEventKind.REQUESTED,
            actor=requester,
            now=now,
            data={
                "verdict": str(assessment.verdict),
                "reasons": list(assessment.reason_keys),
                "missing_fields": list(assessment.missing_fields),
                "explanation": assessment.explanation,
                "channel": channel,
            },
        )
        if status == EscalationStatus.DECLINED:
            _finish_decline(
                esc,
                actor=None,
                reason=assessment.reason_keys[0] if assessment.reasons else "other",
                note=assessment.explanation,
                now=now,
            )
            return esc
        _tell(
            esc,
            key="requested",
            subject=f"Escalation request received: {esc.get_status_display()}",
            body=assessment.explanation,
            now=now,
            stakeholders=False,
        )
        team = _escalation_team(_client_region(esc))
        if team is not None:
            enqueue(
                kind=MessageKind.EMAIL,
                subject=f"[Escalation {esc.pk}] to decide: {assessment.explanation}"[:300],
                body=f"Business impact: {esc.business_impact}",
                team=team,
                severity=_severity(esc),
                dedupe_key=f"escalation:{esc.pk}:requested:team:{team.pk}",
                now=now,
            )
        if status == EscalationStatus.PARTNER_FIRST and esc.partner is not None:
            # ESC-3: the partner that built the extension is asked first.
            for member in esc.partner.members.filter(role=Role.PARTNER, is_active=True)[:5]:
                enqueue(
                    kind=MessageKind.EMAIL,
                    subject=f"[Escalation {esc.pk}] please check first: an issue in your extension",
                    body=f"{assessment.explanation}\nBusiness impact: {esc.business_impact}",
                    user=member,
                    severity=_severity(esc),
                    dedupe_key=f"escalation:{esc.pk}:partner_first:user:{member.pk}",
                    now=now,
                )
    return esc


# -- the decision (ESC-5) ---------------------------------------------------------------


def _finish_decline(
    esc: Escalation, *, actor: User | None, reason: str, note: str, now: dt.datetime
) -> None:
    policy = _policy(esc)
    rules = _rules(policy)
    label = next((r.label for r in rules.decline_reasons if r.key == reason), reason)
    # ESC-8: "declined" is itself a closure reason of the policy.
    closure = validate_closure_reason(policy=policy, reason="declined")
    esc.status = EscalationStatus.DECLINED
    esc.decided_at = now
    esc.decided_by = actor
    esc.decision_reason = reason
    esc.decision_note = note
    esc.closed_at = now
    esc.closed_by = actor
    esc.closure_reason = closure.key
    esc.closure_note = note
    _save(
        esc,
        now,
        "status",
        "decided_at",
        "decided_by",
        "decision_reason",
        "decision_note",
        "closed_at",
        "closed_by",
        "closure_reason",
        "closure_note",
    )
    _record(
        esc,
        EscalationEventKind.DECLINED,
        actor=actor,
        now=now,
        data={"reason": reason, "label": label, "note": note},
    )
    # ESC-5: the requester is told why.
    _tell(
        esc,
        key="declined",
        subject=f"Escalation declined: {label}",
        body=note or label,
        now=now,
    )


def decline_escalation(
    *,
    actor: User,
    escalation_id: int,
    reason: str,
    note: str = "",
    now: dt.datetime | None = None,
) -> Escalation:
    """Decline a pending escalation with a decline reason of its policy plus free text;
    the requester is told both (ESC-5)."""
    now = clock.resolve(now)
    with transaction.atomic():
        esc = _lock(actor, escalation_id)
        _require_decider(actor)
        _require_status(esc, PENDING_STATUSES, "decline")
        keys = [r.key for r in _rules(_policy(esc)).decline_reasons]
        if reason not in keys:
            raise DomainError(
                f"{reason!r} is not a decline reason of this policy (one of: {', '.join(keys)})",
                field="reason",
            )
        _finish_decline(esc, actor=actor, reason=reason, note=note.strip(), now=now)
        return esc


def _assign(esc: Escalation, *, actor: User, now: dt.datetime) -> None:
    assignment = choose_escalation_manager_region(
        policy=_policy(esc),
        calendars=_calendars(esc),
        client_region=_client_region(esc),
        now=now,
    )
    esc.region = assignment.region
    esc.manager = selectors.escalation_manager_for_region(assignment.region)
    esc.assigned_at = now
    esc.acknowledge_by = assignment.acknowledge_by
    esc.assignment_explanation = assignment.explanation
    _save(esc, now, "region", "manager", "assigned_at", "acknowledge_by", "assignment_explanation")
    _record(
        esc,
        EscalationEventKind.ASSIGNED,
        actor=actor,
        now=now,
        data={
            "region": esc.region,
            "manager": esc.manager.get_username() if esc.manager else None,
            "open_now": assignment.open_now,
            "starts_at": _iso(assignment.starts_at),
            "acknowledge_by": _iso(esc.acknowledge_by),
            "explanation": assignment.explanation,
        },
    )


def accept_escalation(
    *,
    actor: User,
    escalation_id: int,
    note: str = "",
    now: dt.datetime | None = None,
) -> Escalation:
    """Accept a pending escalation (ESC-5): the case ranks first (PRI-2) and an
    Escalation Manager is assigned from the client's region if it is open, else from
    the region open now, else the one opening first (ESC-6, ESC-7, ESC-9); the
    acknowledgement is due the policy's target later in that region's business hours."""
    now = clock.resolve(now)
    with transaction.atomic():
        esc = _lock(actor, escalation_id)
        _require_decider(actor)
        _require_status(esc, PENDING_STATUSES, "accept")
        if esc.case_id is None:
            raise EscalationConflict(
                "an escalation without an incident cannot be accepted", field="case"
            )
        esc.status = EscalationStatus.ACCEPTED
        esc.decided_at = now
        esc.decided_by = actor
        esc.decision_note = note.strip()
        _save(esc, now, "status", "decided_at", "decided_by", "decision_note")
        _record(
            esc,
            EscalationEventKind.ACCEPTED,
            actor=actor,
            now=now,
            data={"note": esc.decision_note},
        )
        assert esc.case is not None
        set_escalated(case=esc.case, escalated=True, now=now)
        _assign(esc, actor=actor, now=now)
        _tell(
            esc,
            key="accepted",
            subject="Escalation accepted",
            body=f"{esc.decision_note}\n{esc.assignment_explanation}".strip(),
            now=now,
            manager=True,
        )
        return esc


# -- the Escalation Manager's work (ESC-6, ESC-7) -----------------------------------------


def hand_over_escalation(
    *,
    actor: User,
    escalation_id: int,
    to_manager_id: int | None = None,
    region: str | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> Escalation:
    """Hand an accepted escalation to another manager, or to a region's manager.

    Without an acknowledgement yet, the deadline moves to the policy's target in the
    new region's business hours from ``now``; the hand-over is recorded either way."""
    now = clock.resolve(now)
    with transaction.atomic():
        esc = _lock(actor, escalation_id)
        _require_decider(actor)
        _require_status(esc, LIVE_STATUSES, "hand over")
        if to_manager_id is None and not region:
            raise DomainError("name a manager or a region", field="to_manager_id")
        if to_manager_id is not None:
            manager = User.objects.filter(
                pk=to_manager_id,
                role__in=[Role.ESCALATION_MANAGER, Role.ADMIN],
                is_active=True,
            ).first()
            if manager is None:
                raise DomainError(
                    f"user {to_manager_id} is not an escalation manager", field="to_manager_id"
                )
            new_region = region or manager.region or esc.region
        else:
            assert region is not None
            new_region = region
            manager = selectors.escalation_manager_for_region(region)
            if manager is None:
                raise DomainError(f"region {region!r} has no escalation manager", field="region")
        calendar = _region_calendar(esc, new_region)
        before = {
            "manager": esc.manager.get_username() if esc.manager else None,
            "region": esc.region,
            "acknowledge_by": _iso(esc.acknowledge_by),
        }
        esc.manager = manager
        esc.region = new_region
        if esc.acknowledged_at is None:
            rules = _rules(_policy(esc))
            esc.acknowledge_by = calendar.add(
                now, dt.timedelta(seconds=rules.acknowledge_seconds)
            ).astimezone(dt.UTC)
        _save(esc, now, "manager", "region", "acknowledge_by")
        _record(
            esc,
            EscalationEventKind.HANDED_OVER,
            actor=actor,
            now=now,
            data={
                "from": before,
                "to": {
                    "manager": manager.get_username(),
                    "region": new_region,
                    "acknowledge_by": _iso(esc.acknowledge_by),
                },
                "note": note,
            },
        )
        _tell(
            esc,
            key=f"handover:{now.isoformat()}",
            subject=f"Escalation handed over to {manager.get_full_name() or manager.get_username()}",
            body=note,
            now=now,
            manager=True,
        )
        return esc


def _require_manager_of(actor: User, esc: Escalation) -> None:
    if esc.manager_id != actor.pk and not selectors.may_decide(actor):
        raise Forbidden("only the escalation's manager may do this", field="actor")


def _next_update_due(esc: Escalation, now: dt.datetime) -> dt.datetime:
    rules = _rules(_policy(esc))
    calendar = _region_calendar(esc, esc.region)
    return calendar.add(now, dt.timedelta(seconds=rules.update_every_seconds)).astimezone(dt.UTC)


def acknowledge_escalation(
    *,
    actor: User,
    escalation_id: int,
    status_note: str,
    next_steps: str,
    now: dt.datetime | None = None,
) -> Escalation:
    """The manager confirms receipt to the requester, with status and next steps (ESC-6);
    the next update is due on the policy's cadence in the region's business hours."""
    now = clock.resolve(now)
    if not status_note.strip():
        raise DomainError("say what the status is", field="status_note")
    if not next_steps.strip():
        raise DomainError("say what the next steps are", field="next_steps")
    with transaction.atomic():
        esc = _lock(actor, escalation_id)
        _require_manager_of(actor, esc)
        _require_status(esc, (EscalationStatus.ACCEPTED,), "acknowledge")
        if esc.manager_id is None:
            esc.manager = actor
        esc.status = EscalationStatus.ACKNOWLEDGED
        esc.acknowledged_at = now
        esc.last_update_at = now
        esc.next_update_due_at = _next_update_due(esc, now)
        _save(
            esc, now, "manager", "status", "acknowledged_at", "last_update_at", "next_update_due_at"
        )
        _record(
            esc,
            EscalationEventKind.ACKNOWLEDGED,
            actor=actor,
            now=now,
            data={
                "status": status_note,
                "next_steps": next_steps,
                "on_time": esc.acknowledge_by is None or now <= esc.acknowledge_by,
                "next_update_due_at": _iso(esc.next_update_due_at),
            },
        )
        _tell(
            esc,
            key="acknowledged",
            subject="Your escalation is received",
            body=f"Status: {status_note}\nNext steps: {next_steps}",
            now=now,
        )
        return esc


def post_escalation_update(
    *,
    actor: User,
    escalation_id: int,
    body: str,
    now: dt.datetime | None = None,
) -> EscalationEvent:
    """An update to the requester and every stakeholder (ESC-6); the next one is due on
    the policy's cadence."""
    now = clock.resolve(now)
    if not body.strip():
        raise DomainError("an update needs a text", field="body")
    with transaction.atomic():
        esc = _lock(actor, escalation_id)
        _require_manager_of(actor, esc)
        _require_status(
            esc,
            (EscalationStatus.ACKNOWLEDGED, EscalationStatus.AWAITING_CLIENT),
            "post an update (acknowledge it first)",
        )
        esc.last_update_at = now
        if esc.status == EscalationStatus.ACKNOWLEDGED:
            esc.next_update_due_at = _next_update_due(esc, now)
        _save(esc, now, "last_update_at", "next_update_due_at")
        event = _record(
            esc,
            EscalationEventKind.UPDATE,
            actor=actor,
            now=now,
            data={"body": body, "next_update_due_at": _iso(esc.next_update_due_at)},
        )
        _tell(esc, key=f"update:{event.pk}", subject="Escalation update", body=body, now=now)
        return event


def subscribe_to_escalation(
    *,
    actor: User,
    escalation_id: int,
    user_id: int | None = None,
    email: str = "",
    now: dt.datetime | None = None,
) -> EscalationSubscription:
    """A stakeholder (a person, or a plain address) receives every update (ESC-6).

    A person must be vendor staff or able to act for the escalation's organisation.
    Subscribing twice returns the existing subscription."""
    now = clock.resolve(now)
    email = email.strip().lower()
    if (user_id is None) == (not email):
        raise DomainError("name exactly one of user_id or email", field="user_id")
    if email and "@" not in email:
        raise DomainError("not an email address", field="email")
    with transaction.atomic():
        esc = _lock(actor, escalation_id)
        _require_status(
            esc, (*PENDING_STATUSES, *LIVE_STATUSES), "subscribe to a finished escalation"
        )
        user = None
        if user_id is not None:
            user = User.objects.filter(pk=user_id, is_active=True).first()
            allowed = user is not None and (
                user.is_vendor_staff
                or (
                    esc.organization is not None
                    and may_act_for_organisation(user, esc.organization)
                )
            )
            if not allowed or user is None:
                raise NotFound(f"user {user_id} not found", field="user_id")
            existing = EscalationSubscription.objects.filter(escalation=esc, user=user).first()
        else:
            existing = EscalationSubscription.objects.filter(escalation=esc, email=email).first()
        if existing is not None:
            return existing
        sub = EscalationSubscription.objects.create(
            escalation=esc, user=user, email="" if user else email, created_at=now, created_by=actor
        )
        _record(
            esc,
            EscalationEventKind.SUBSCRIBED,
            actor=actor,
            now=now,
            data={"user": user.get_username() if user else None, "email": email or None},
            public=False,
        )
        return sub


# -- waiting on the client, reminders and closure (ESC-8) -------------------------------


def await_client(
    *,
    actor: User,
    escalation_id: int,
    troubleshooting_steps: str,
    now: dt.datetime | None = None,
) -> Escalation:
    """Send troubleshooting steps and wait on the client/partner: reminders follow on
    the policy's schedule in the client region's business hours, and after the last
    one the escalation closes as ``no_response`` (see :func:`send_due_reminders`)."""
    now = clock.resolve(now)
    if not troubleshooting_steps.strip():
        raise DomainError(
            "say which troubleshooting steps the client should take", field="troubleshooting_steps"
        )
    with transaction.atomic():
        esc = _lock(actor, escalation_id)
        _require_manager_of(actor, esc)
        _require_status(esc, (EscalationStatus.ACKNOWLEDGED,), "wait on the client")
        region = _client_region(esc) or esc.region
        schedule = reminder_schedule(
            policy=_policy(esc),
            calendar=_region_calendar(esc, region),
            waiting_since=now,
        )
        esc.status = EscalationStatus.AWAITING_CLIENT
        esc.awaiting_since = now
        esc.reminder_schedule = [r.isoformat() for r in schedule.reminders]
        esc.reminder_close_at = schedule.close_at
        esc.reminders_sent = 0
        esc.next_reminder_at = schedule.reminders[0]
        # Updates pause while the ball is in the client's court.
        esc.next_update_due_at = None
        esc.last_update_at = now
        _save(
            esc,
            now,
            "status",
            "awaiting_since",
            "reminder_schedule",
            "reminder_close_at",
            "reminders_sent",
            "next_reminder_at",
            "next_update_due_at",
            "last_update_at",
        )
        _record(
            esc,
            EscalationEventKind.AWAITING_CLIENT,
            actor=actor,
            now=now,
            data={
                "troubleshooting_steps": troubleshooting_steps,
                "reminders": esc.reminder_schedule,
                "close_at": _iso(schedule.close_at),
                "region": region,
            },
        )
        _tell(
            esc,
            key=f"awaiting:{now.isoformat()}",
            subject="Troubleshooting steps for your escalation",
            body=troubleshooting_steps,
            now=now,
        )
        return esc


def record_client_response(
    *,
    actor: User,
    escalation_id: int,
    message: str,
    now: dt.datetime | None = None,
) -> Escalation:
    """The client/partner answered: reminders stop and the update cadence resumes."""
    now = clock.resolve(now)
    with transaction.atomic():
        esc = _lock(actor, escalation_id)
        _require_status(esc, (EscalationStatus.AWAITING_CLIENT,), "record a client response")
        esc.status = EscalationStatus.ACKNOWLEDGED
        esc.next_reminder_at = None
        esc.next_update_due_at = _next_update_due(esc, now)
        _save(esc, now, "status", "next_reminder_at", "next_update_due_at")
        event = _record(
            esc,
            EscalationEventKind.CLIENT_RESPONSE,
            actor=actor,
            now=now,
            data={"message": message, "reminders_sent": esc.reminders_sent},
        )
        _tell(
            esc,
            key=f"response:{event.pk}",
            subject="The client responded",
            body=message,
            now=now,
            requester=False,
            stakeholders=False,
            manager=True,
        )
        return esc


def _close(
    esc: Escalation, *, actor: User | None, reason: str, note: str, now: dt.datetime
) -> None:
    closure = validate_closure_reason(policy=_policy(esc), reason=reason)
    esc.status = EscalationStatus.CLOSED
    esc.closed_at = now
    esc.closed_by = actor
    esc.closure_reason = closure.key
    esc.closure_note = note
    esc.next_reminder_at = None
    esc.next_update_due_at = None
    _save(
        esc,
        now,
        "status",
        "closed_at",
        "closed_by",
        "closure_reason",
        "closure_note",
        "next_reminder_at",
        "next_update_due_at",
    )
    _record(
        esc,
        EscalationEventKind.CLOSED,
        actor=actor,
        now=now,
        data={"reason": closure.key, "label": closure.label, "note": note},
    )
    # PRI-2: the case keeps ranking first only while another escalation of it is live.
    # Closing the escalation never closes the incident itself.
    if esc.case is not None and not selectors.has_live_escalation(esc.case.pk, excluding=esc.pk):
        set_escalated(case=esc.case, escalated=False, now=now)
    _tell(
        esc,
        key="closed",
        subject=f"Escalation closed: {closure.label}",
        body=note or closure.label,
        now=now,
    )


def close_escalation(
    *,
    actor: User,
    escalation_id: int,
    reason: str,
    note: str = "",
    now: dt.datetime | None = None,
) -> Escalation:
    """Close with exactly one of the policy's closure reasons (ESC-8). The incident
    stays as it is; the case stops ranking first unless another escalation is live."""
    now = clock.resolve(now)
    with transaction.atomic():
        esc = _lock(actor, escalation_id)
        _require_decider(actor)
        _require_status(esc, (*PENDING_STATUSES, *LIVE_STATUSES), "close")
        if esc.status in PENDING_STATUSES and reason == "declined":
            _finish_decline(esc, actor=actor, reason="other", note=note, now=now)
            return esc
        _close(esc, actor=actor, reason=reason, note=note.strip(), now=now)
        return esc


def send_due_reminders(*, now: dt.datetime | None = None, batch: int = 200) -> int:
    """Take one due step per escalation waiting on the client: the next reminder, or,
    after the last one, the closure with the policy's ``no_response_reason`` (ESC-8).

    Idempotent: each step re-reads the locked row and advances ``reminders_sent`` only
    if the step is still due; outbox dedupe keys name the waiting period and the
    reminder number. Returns the number of steps taken."""
    now = clock.resolve(now)
    steps = 0
    for esc_id in selectors.escalations_with_reminder_due(now, batch=batch):
        with transaction.atomic():
            esc = (
                Escalation.objects.select_for_update(of=("self",))
                .select_related("case", "organization", "requester", "manager", "policy_version")
                .filter(
                    pk=esc_id,
                    status=EscalationStatus.AWAITING_CLIENT,
                    next_reminder_at__lte=now,
                )
                .first()
            )
            if esc is None:
                continue
            steps += 1
            n = esc.reminders_sent
            if n < len(esc.reminder_schedule):
                esc.reminders_sent = n + 1
                later = esc.reminder_schedule[n + 1 :]
                esc.next_reminder_at = (
                    dt.datetime.fromisoformat(later[0]) if later else esc.reminder_close_at
                )
                _save(esc, now, "reminders_sent", "next_reminder_at")
                _record(
                    esc,
                    EscalationEventKind.REMINDER,
                    actor=None,
                    now=now,
                    data={
                        "number": n + 1,
                        "of": len(esc.reminder_schedule),
                        "next": _iso(esc.next_reminder_at),
                    },
                )
                _tell(
                    esc,
                    key=f"reminder:{_iso(esc.awaiting_since)}:{n + 1}",
                    subject=f"Reminder {n + 1}: we are waiting for your response",
                    body="Please tell us the outcome of the troubleshooting steps we sent.",
                    now=now,
                    stakeholders=False,
                )
            else:
                rules = _rules(_policy(esc))
                _close(
                    esc,
                    actor=None,
                    reason=rules.no_response_reason,
                    note=f"No response after {len(esc.reminder_schedule)} reminders.",
                    now=now,
                )
    return steps
