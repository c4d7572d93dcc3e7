"""Opening a case: one service for every channel (INT-1), with triage, routing,
work orders, sprint planning and the phone follow-up."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from supportdesk import clock
from supportdesk.accounts.models import Organization, User
from supportdesk.accounts.permissions import (
    NotFound,
    access_organisation,
    require,
)
from supportdesk.cases import events, selectors
from supportdesk.cases import notices as case_mail
from supportdesk.cases.clocks import (
    calendars_of,
    compute_clocks,
    queue_due,
    start_clocks,
)
from supportdesk.cases.drafts import CaseDraft
from supportdesk.cases.models import (
    Case,
    CaseEvent,
    Channel,
    Environment,
)
from supportdesk.cases.permissions import (
    can_log_phone_call,
    can_open_for_others,
    can_override_severity,
)
from supportdesk.cases.services import idempotency
from supportdesk.cases.services.alerts import alert_for_route
from supportdesk.cases.services.emergency import callback_in, unconfirmed_emergency
from supportdesk.cases.services.follow_up import follow_up_due, open_follow_up
from supportdesk.cases.services.planning import apply_work_order, file_into_sprint
from supportdesk.cases.services.records import _jsonable, rank
from supportdesk.domain.errors import DomainError
from supportdesk.domain.lifecycle import CaseStatus
from supportdesk.domain.notices import NoticeEvent
from supportdesk.domain.policy import Policy
from supportdesk.domain.routing import (
    RouteAction,
    RouteDecision,
    decide_route,
    validate_callback_number,
)
from supportdesk.domain.triage import (
    OverrideError,
    SeverityOverride,
    TriageResult,
    triage_report,
)
from supportdesk.policies import selectors as policy_selectors
from supportdesk.policies.models import PolicyVersion


def open_case(
    actor: User,
    draft: CaseDraft,
    *,
    idempotency_key: str | None = None,
    policy_version: PolicyVersion | None = None,
    savepoint: bool = True,
    mail: case_mail.MailOrigin | None = None,
    planning: selectors.Planning | None = None,
    now: dt.datetime | None = None,
) -> tuple[Case, bool]:
    """Open a case through the intake rules of the organisation's current policy, for
    every channel (INT-1): triage (SEV-2, SEV-3), not-local check (INT-3), Sev2/Sev3
    details (INT-4), routing (INT-2), the phone Sev1 follow-up (INT-5), work orders
    (RSP-3), daily review (RSP-4) and sprint planning (PRI-1).

    Returns ``(case, created)``: with an ``idempotency_key`` seen before for this actor
    and the same draft, the earlier case and ``False``; with another draft
    :class:`IdempotencyConflict`. Every refusal is a :class:`DomainError` naming the
    field; nothing is written then. ``policy_version``: the organisation's current
    version, when the caller has just read it (mail intake). ``savepoint=False``: the
    caller's transaction is the unit, and a refusal fails all of it (mail intake, which
    then stores the message as failed in a transaction of its own). ``mail``: the
    message the case is opened by, which its receipt answers. ``planning``: the teams
    and sprints under the planning stamp the caller read in this transaction or just
    before it (``selectors.planning_under``: mail intake reads it with the sender, the
    API with the token), so the create reads no stamp of its own.

    Who is told of the new case (its receipt, the region team's mail and bell entries)
    is one fan-out job written here and told by the worker within about a second
    (``cases.notices.tell_later``); the account manager's alert, a page and a phone
    case's follow-up are written here, at once.
    """
    now = clock.resolve(now)
    request_fingerprint = idempotency.fingerprint(draft) if idempotency_key else ""
    if idempotency_key:
        earlier = idempotency.replay(actor, idempotency_key, request_fingerprint)
        if earlier is not None:
            return earlier, False
    try:
        with transaction.atomic(savepoint=savepoint):
            case = _open_case(actor, draft, policy_version, mail, planning, now)
            if idempotency_key:
                idempotency.remember(actor, idempotency_key, request_fingerprint, case, now)
            return case, True
    except IntegrityError:
        # A concurrent retry with the same key won the race: answer as a replay.
        if idempotency_key:
            earlier = idempotency.replay(actor, idempotency_key, request_fingerprint)
            if earlier is not None:
                return earlier, False
        raise


def _open_case(
    actor: User,
    draft: CaseDraft,
    version: PolicyVersion | None,
    mail: case_mail.MailOrigin | None,
    planning: selectors.Planning | None,
    now: dt.datetime,
) -> Case:
    # A message carries no form: its case lists what it lacks instead (INT-3, INT-4).
    triaged = _triage(actor, draft, version, form=mail is None)
    emergency = unconfirmed_emergency(
        policy=triaged.policy,
        calendars=calendars_of(triaged.version),
        draft=draft,
        result=triaged.result,
        now=now,
    )
    if emergency is not None:
        # INT-2: an after-hours emergency by email or API, from its words alone.
        triaged = dataclasses.replace(triaged, result=emergency, unconfirmed=True)
        draft = dataclasses.replace(
            draft, callback_number=callback_in(draft, triaged.policy.intake.phone_country)
        )
    route = _route(triaged, draft, now)
    case, rows = _build(actor, draft, triaged, route, planning or selectors.planning(), now)
    _persist(case, rows, now)
    _notify(actor, case, triaged, route, mail, now)
    return case


@dataclass(frozen=True, slots=True)
class _Triaged:
    """The draft checked against its organisation's policy, and the severity it gets."""

    organisation: Organization
    requester: User
    version: PolicyVersion
    policy: Policy
    result: TriageResult
    #: INT-2: the severity came from emergency keywords and awaits an agent.
    unconfirmed: bool = False


def _triage(
    actor: User, draft: CaseDraft, version: PolicyVersion | None, *, form: bool = True
) -> _Triaged:
    """Check the draft and triage it (SEV-2, SEV-3, INT-3, INT-4); ``form=False`` for a
    report without the policy's form (``domain.triage.triage_report``)."""
    organisation = access_organisation(actor, draft.organisation_id)
    if draft.channel not in Channel.values:
        raise DomainError(
            _("unknown channel '%(channel)s' (one of: %(choices)s)")
            % {"channel": draft.channel, "choices": ", ".join(Channel.values)},
            field="channel",
        )
    if draft.channel == Channel.PHONE:
        require(can_log_phone_call(actor), _("only an agent logs a phone call"), field="channel")
    if draft.environment not in Environment.values:
        raise DomainError(
            _("unknown environment '%(environment)s' (one of: %(choices)s)")
            % {"environment": draft.environment, "choices": ", ".join(Environment.values)},
            field="environment",
        )
    if not draft.title.strip():
        raise DomainError(_("a title is required"), field="title")
    if draft.override_severity is not None:
        require(
            can_override_severity(actor),
            _("only an agent may override the triaged severity"),
            field="override",
        )
    requester = _requester(actor, organisation, draft.requester_id)
    version = version or policy_selectors.current_version_for(organisation)
    policy = policy_selectors.parsed(version)
    override = (
        SeverityOverride(severity=draft.override_severity, reason=draft.override_reason)
        if draft.override_severity is not None
        else None
    )
    result = triage_report(
        policy=policy,
        request_type=draft.request_type,
        answers=draft.answers,
        category=draft.category,
        details=draft.details,
        override=override,
        form=form,
    )
    return _Triaged(organisation, requester, version, policy, result)


def route_case(case: Case, policy: Policy, now: dt.datetime) -> RouteDecision:
    """Where an open case would go if it arrived now at its current severity (INT-2)."""
    return decide_route(
        policy=policy,
        calendars=calendars_of(case.policy_version),
        now=now,
        severity=case.severity,
        request_type=case.request_type,
        client_region=_region_key(policy, case.organization.region),
    )


def _route(triaged: _Triaged, draft: CaseDraft, now: dt.datetime) -> RouteDecision:
    """Where the case goes now (INT-2); a refused route refuses the case."""
    route = decide_route(
        policy=triaged.policy,
        calendars=calendars_of(triaged.version),
        now=now,
        severity=triaged.result.severity,
        request_type=draft.request_type,
        client_region=_region_key(triaged.policy, triaged.organisation.region),
    )
    if route.action is RouteAction.REFUSE:
        raise OverrideError(route.explanation, field="severity")
    return route


def _build(
    actor: User,
    draft: CaseDraft,
    triaged: _Triaged,
    route: RouteDecision,
    planning: selectors.Planning,
    now: dt.datetime,
) -> tuple[Case, list[CaseEvent]]:
    """The case row as it will be written, with its opening events (unsaved): its
    team, work order (RSP-3), sprint (PRI-1) and queue due are all known before the
    INSERT, so no UPDATE rewrites the table's indexes after it."""
    case = _case_row(actor, draft, triaged, route, now)
    case.team = planning.support_team(case.region)
    rank(case, triaged.policy)
    apply_work_order(case, triaged.policy)
    moved = file_into_sprint(case, triaged.policy, now, sprints=planning)
    result = triaged.result
    opened = events.event_row(
        case,
        events.Opened(
            severity=result.severity,
            reason=result.reason,
            basis=str(result.basis),
            channel=draft.channel,
            route_action=str(route.action),
            route_region=route.region,
            route_explanation=route.explanation,
        ),
        at=now,
        actor=actor,
    )
    return case, [opened, *moved]


def _case_row(
    actor: User, draft: CaseDraft, triaged: _Triaged, route: RouteDecision, now: dt.datetime
) -> Case:
    """The new case's own columns: the draft, its triage and its route."""
    policy, result = triaged.policy, triaged.result
    kind = policy.request_type(draft.request_type)
    callback_number = draft.callback_number
    # An unconfirmed emergency without a number is paged anyway: on-call asks for one.
    if (route.needs_callback and not triaged.unconfirmed) or callback_number:
        callback_number = validate_callback_number(callback_number, policy.intake.phone_country)
    return Case(
        organization=triaged.organisation,
        requester=triaged.requester,
        opened_by=actor,
        channel=draft.channel,
        environment=draft.environment,
        request_type=kind.key,
        category=draft.category,
        title=draft.title.strip(),
        description=draft.description,
        severity=result.severity,
        severity_reason=result.reason,
        severity_basis=str(result.basis),
        triage={
            "answers": dict(draft.answers),
            "derived_severity": result.derived_severity,
            "derived_reason": result.derived_reason,
            "rule_index": result.rule_index,
            "clamped": result.clamped,
            "emergency": result.emergency,
            "intake": {k: _jsonable(v) for k, v in result.intake.items()},
            "answered": result.answered,
            "missing": list(result.missing),
        },
        status=CaseStatus.NEW,
        region=route.region or triaged.organisation.region,
        policy_version=triaged.version,
        received_at=now,
        callback_number=callback_number,
        route_action=str(route.action),
        route_region=route.region or "",
        route_explanation=route.explanation,
        daily_review=kind.daily_review,
        severity_unconfirmed=triaged.unconfirmed,
        updated_at=now,
    )


def _persist(case: Case, rows: list[CaseEvent], now: dt.datetime) -> None:
    """Write the case (one ``INSERT ... RETURNING`` its key and the reference the
    database derives from it), its events and its first clocks (kept on the case as
    ``opened_clocks`` for the create's answer)."""
    computed = compute_clocks(case, now=now, history=rows)
    case.queue_due_at = queue_due(computed)
    case.save(force_insert=True)
    CaseEvent.objects.bulk_create(rows)
    case.opened_clocks = start_clocks(case, computed, now=now)


def _notify(
    actor: User,
    case: Case,
    triaged: _Triaged,
    route: RouteDecision,
    mail: case_mail.MailOrigin | None,
    now: dt.datetime,
) -> None:
    """Tell who must know at once: the account manager (INT-2), the on-call engineer
    (INT-2) and, for a Sev1 by phone, the follow-up owner (INT-5); everyone else the
    rules name right after (one fan-out job)."""
    alert_for_route(case, triaged.organisation, route, now)
    policy = triaged.policy
    data: dict[str, str] = {}
    if (
        case.channel == Channel.PHONE
        and case.severity == policy.severities[0].level
        and policy.intake.phone_sev1_follow_up
    ):
        due = follow_up_due(case, now)
        # INT-5: the receipt tells the customer what happens next, in their language
        # and zone (``notices.mail.receipt_context``).
        data[case_mail.PHONE_FOLLOW_UP_BY] = due.isoformat() if due else ""
    # INT-1: every channel's requester gets the receipt; the region's team hears of it.
    case_mail.tell_later(
        NoticeEvent.CASE_RECEIVED,
        case=case,
        actor=actor,
        key="opened",
        data=data,
        mail=mail,
        now=now,
    )
    if data:
        open_follow_up(case, actor, now)


def _requester(actor: User, organisation: Organization, requester_id: int | None) -> User:
    if requester_id is None or requester_id == actor.pk:
        return actor
    require(
        can_open_for_others(actor), _("customers open cases as themselves"), field="requester_id"
    )
    requester = User.objects.filter(pk=requester_id, organization=organisation).first()
    if requester is None:
        raise NotFound(
            _("user %(requester_id)s is not a member of %(name)s")
            % {"requester_id": requester_id, "name": organisation.name},
            field="requester_id",
        )
    return requester


def _region_key(policy: Policy, region: str) -> str | None:
    keys = {r.key for r in policy.regions}
    return region if region in keys else None
