"""Reading escalations: who sees which, lists, the log, the managers, the figures."""

from __future__ import annotations

import datetime as dt
import functools
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from supportdesk.accounts.models import Organization, Role, Team, TeamKind, User
from supportdesk.accounts.permissions import NotFound, organisation_scope, sees_all
from supportdesk.cases.models import Case
from supportdesk.cases.selectors import cases_visible_to
from supportdesk.domain.calendars import BusinessCalendar, build_calendars
from supportdesk.escalations.models import (
    DECIDING_STATUSES,
    LIVE_STATUSES,
    Escalation,
    EscalationEvent,
    EscalationStatus,
    EscalationSubscription,
)
from supportdesk.policies.models import PolicyVersion
from supportdesk.policies.selectors import parsed
from supportdesk.terms import term

#: List order: newest first; ``id`` breaks ties, so keyset paging is stable.
LIST_ORDER = ("-requested_at", "-id")


def escalations_visible_to(viewer: User) -> QuerySet[Escalation]:
    """Managers and admins: all. Agents: escalations of the cases they see. Customers
    and partners: their organisations' escalations (declined ones included, ESC-5)."""
    qs = Escalation.objects.all()
    if sees_all(viewer):
        return qs
    if viewer.role == Role.AGENT:
        return qs.filter(case__in=cases_visible_to(viewer))
    orgs = Organization.objects.filter(organisation_scope(viewer))
    return qs.filter(Q(organization__in=orgs) | Q(requester=viewer))


def access_escalation(viewer: User, escalation_id: int, *, lock: bool = False) -> Escalation:
    """The escalation if ``viewer`` may see it, else :class:`NotFound` (ids leak nothing):
    the one way a view, the API or a service gets an escalation for a person.

    ``lock=True``: row-locked for the caller's transaction, for a write (with its pinned
    policy version, which every step reads)."""
    qs = escalations_visible_to(viewer).filter(pk=escalation_id)
    if lock:
        qs = qs.select_for_update(of=("self",)).select_related(
            "case", "organization", "requester", "manager", "policy_version"
        )
    else:
        qs = qs.select_related("case", "organization", "requester", "manager", "partner")
    esc = qs.first()
    if esc is None:
        raise NotFound(
            _("escalation %(escalation_id)s not found") % {"escalation_id": escalation_id},
            field="escalation_id",
        )
    return esc


@dataclass(frozen=True)
class EscalationFilter:
    status: str | None = None
    region: str | None = None
    case_id: int | None = None
    organisation: int | None = None
    manager_id: int | None = None
    open_only: bool = False


def escalation_list(viewer: User, filters: EscalationFilter | None = None) -> QuerySet[Escalation]:
    """The escalations ``viewer`` may see, narrowed by ``filters``."""
    return _filtered(escalations_visible_to(viewer), filters)


def all_escalations(filters: EscalationFilter | None = None) -> QuerySet[Escalation]:
    """Every escalation, narrowed by ``filters``: for operators (the command line),
    never for a request on behalf of a person (use :func:`escalation_list`)."""
    return _filtered(Escalation.objects.all(), filters)


def escalation_by_id(escalation_id: int) -> Escalation:
    """Any escalation by id, for operators, else :class:`NotFound`."""
    esc = (
        Escalation.objects.select_related("case", "organization", "requester", "manager")
        .filter(pk=escalation_id)
        .first()
    )
    if esc is None:
        raise NotFound(
            _("escalation %(escalation_id)s not found") % {"escalation_id": escalation_id},
            field="escalation_id",
        )
    return esc


def _filtered(qs: QuerySet[Escalation], filters: EscalationFilter | None) -> QuerySet[Escalation]:
    f = filters or EscalationFilter()
    qs = qs.select_related("case", "organization", "manager")
    if f.status:
        qs = qs.filter(status=f.status)
    if f.region:
        qs = qs.filter(region=f.region)
    if f.case_id is not None:
        qs = qs.filter(case_id=f.case_id)
    if f.organisation is not None:
        qs = qs.filter(organization_id=f.organisation)
    if f.manager_id is not None:
        qs = qs.filter(manager_id=f.manager_id)
    if f.open_only:
        qs = qs.exclude(status__in=[EscalationStatus.CLOSED, EscalationStatus.DECLINED])
    return qs


def escalation_events(escalation: Escalation) -> QuerySet[EscalationEvent]:
    return EscalationEvent.objects.filter(escalation=escalation).select_related("actor")


def escalation_subscriptions(escalation: Escalation) -> QuerySet[EscalationSubscription]:
    return EscalationSubscription.objects.filter(escalation=escalation).select_related("user")


def escalation_manager_for_region(region: str) -> User | None:
    """The region's Escalation Manager: its escalation team's named manager, else an
    active escalation manager in that team, else one whose team is in that region."""
    team = (
        Team.objects.filter(kind=TeamKind.ESCALATION, region=region)
        .select_related("escalation_manager")
        .order_by("id")
        .first()
    )
    if team is not None and team.escalation_manager is not None:
        return team.escalation_manager
    people = User.objects.filter(role=Role.ESCALATION_MANAGER, is_active=True)
    if team is not None:
        member = people.filter(team=team).order_by("id").first()
        if member is not None:
            return member
    return people.filter(team__region=region).order_by("id").first()


def has_live_escalation(case_id: int, *, excluding: int | None = None) -> bool:
    qs = Escalation.objects.filter(case_id=case_id, status__in=LIVE_STATUSES)
    if excluding is not None:
        qs = qs.exclude(pk=excluding)
    return qs.exists()


def escalations_with_reminder_due(now: dt.datetime, *, batch: int) -> list[int]:
    return list(
        Escalation.objects.filter(
            status=EscalationStatus.AWAITING_CLIENT, next_reminder_at__lte=now
        )
        .order_by("next_reminder_at", "id")
        .values_list("id", flat=True)[:batch]
    )


def escalations_with_decision_reminder_due(now: dt.datetime, *, batch: int) -> list[int]:
    return list(
        Escalation.objects.filter(
            status__in=DECIDING_STATUSES,
            decision_reminder_at__lte=now,
            decide_by__isnull=False,
        )
        .order_by("decision_reminder_at", "id")
        .values_list("id", flat=True)[:batch]
    )


def waiting_on_client() -> Q:
    """Escalations waiting on the client/partner: for the outcome of troubleshooting
    steps (ESC-8), or for information the team asked for to decide (seed 001)."""
    return Q(status=EscalationStatus.AWAITING_CLIENT) | Q(
        status__in=DECIDING_STATUSES, information_requested_at__isnull=False
    )


def asked_partner_first(escalation_id: int, user: User) -> bool:
    """ESC-3: the escalation waits on ``user``'s organisation, the partner asked first."""
    return (
        user.organization_id is not None
        and Escalation.objects.filter(
            pk=escalation_id,
            status=EscalationStatus.PARTNER_FIRST,
            partner_id=user.organization_id,
        ).exists()
    )


def information_requested(escalation_id: int) -> bool:
    """The escalation team asked the requester a question that is not answered yet."""
    return Escalation.objects.filter(
        pk=escalation_id, status__in=DECIDING_STATUSES, information_requested_at__isnull=False
    ).exists()


def overdue_condition(now: dt.datetime) -> Q:
    """Escalations with a deadline passed at ``now`` and not reported yet (ESC-5,
    ESC-6): a pending one not decided by ``decide_by`` (never while the requester is
    asked for information: the clock is paused), an accepted one not acknowledged by
    ``acknowledge_by``, or an acknowledged one without an update by
    ``next_update_due_at``. The deadline columns are indexed."""
    undecided = Q(status__in=DECIDING_STATUSES, decide_by__lte=now) & (
        Q(overdue_flagged_for__isnull=True) | Q(overdue_flagged_for__lt=F("decide_by"))
    )
    not_acknowledged = Q(
        status=EscalationStatus.ACCEPTED,
        acknowledged_at__isnull=True,
        acknowledge_by__lte=now,
    ) & (Q(overdue_flagged_for__isnull=True) | Q(overdue_flagged_for__lt=F("acknowledge_by")))
    no_update = Q(
        status=EscalationStatus.ACKNOWLEDGED,
        next_update_due_at__lte=now,
    ) & (Q(overdue_flagged_for__isnull=True) | Q(overdue_flagged_for__lt=F("next_update_due_at")))
    return undecided | not_acknowledged | no_update


def overdue_escalations(now: dt.datetime, *, batch: int) -> list[int]:
    """Ids of escalations matching :func:`overdue_condition`, oldest request first."""
    return list(
        Escalation.objects.filter(overdue_condition(now))
        .order_by("requested_at", "id")
        .values_list("id", flat=True)[:batch]
    )


def escalation_team(region: str) -> Team | None:
    """The region's escalation team (the first, when a region has several)."""
    if not region:
        return None
    return (
        Team.objects.filter(kind=TeamKind.ESCALATION, region=region)
        .select_related("escalation_manager")
        .order_by("id")
        .first()
    )


def teams_working_on(case: Case) -> list[Team]:
    """The teams working ``case``: the team it is with, and its region's support team
    (ESC-9), each once, in that order."""
    teams: dict[int, Team] = {}
    if case.team is not None:
        teams[case.team.pk] = case.team
    region_team = (
        Team.objects.filter(kind=TeamKind.SUPPORT, region=case.region).order_by("id").first()
    )
    if region_team is not None:
        teams.setdefault(region_team.pk, region_team)
    return list(teams.values())


@functools.lru_cache(maxsize=32)
def _calendars_for_version(version_id: int, sha256: str) -> dict[str, BusinessCalendar]:
    return build_calendars(parsed(PolicyVersion.objects.get(pk=version_id)).calendars)


def escalation_calendars(esc: Escalation) -> dict[str, BusinessCalendar]:
    """The calendars of the policy version ``esc`` is pinned to (built once per version;
    versions are immutable)."""
    return _calendars_for_version(esc.policy_version_id, esc.policy_version.sha256)


def region_calendar_of(esc: Escalation, region: str) -> BusinessCalendar | None:
    """``region``'s calendar under the escalation's pinned policy, ``None`` when that
    policy has no such region."""
    policy = parsed(esc.policy_version)
    try:
        return escalation_calendars(esc)[policy.region(region).calendar]
    except KeyError:
        return None


def region_name(esc: Escalation, region: str) -> str:
    """The name the escalation's pinned policy gives ``region`` ("North America" for
    ``na``); its key in capitals when that policy does not name it."""
    try:
        return parsed(esc.policy_version).region(region).name
    except KeyError:
        return region.upper()


def request_fields(
    esc: Escalation, *, leave_out: frozenset[str] = frozenset()
) -> list[tuple[str, object]]:
    """The request form's answers as ``(label, value)``: in the order and with the labels
    of the pinned policy's ``escalation.form_fields``, then any key that policy does not
    name, in words (``supportdesk.terms``). ``leave_out``: keys shown elsewhere."""
    rules = parsed(esc.policy_version).escalation
    labels = {f.key: f.label for f in rules.form_fields} if rules is not None else {}
    answers = {k: v for k, v in esc.form.items() if k not in leave_out}
    known = [(labels[k], answers[k]) for k in labels if k in answers]
    others = [(term(k), v) for k, v in answers.items() if k not in labels]
    return known + others


@dataclass
class RegionStats:
    """Figures for one region. Times run from the request; ``*_seconds_*`` is wall-clock
    time, ``*_business_seconds_*`` the business time of the acknowledging region's
    calendar under each escalation's pinned policy version."""

    region: str
    requested: int = 0
    #: Count per outcome: a live status, ``declined``, or ``closed:<reason key>``.
    outcomes: dict[str, int] = field(default_factory=dict)
    acknowledged: int = 0
    mean_seconds_to_acknowledge: float | None = None
    median_seconds_to_acknowledge: float | None = None
    mean_business_seconds_to_acknowledge: float | None = None
    median_business_seconds_to_acknowledge: float | None = None
    closed: int = 0
    mean_seconds_to_close: float | None = None
    median_seconds_to_close: float | None = None
    mean_business_seconds_to_close: float | None = None
    median_business_seconds_to_close: float | None = None


def _outcome(esc: Escalation) -> str:
    if esc.status == EscalationStatus.CLOSED:
        return f"closed:{esc.closure_reason}"
    return str(esc.status)


def escalation_stats(
    *, start: dt.datetime, end: dt.datetime, region: str | None = None
) -> list[RegionStats]:
    """Escalations requested in ``[start, end)``, per region (the acknowledging region,
    else the client's): counts by outcome, and mean/median seconds from request to
    acknowledgement and to closure, in wall-clock time and in business time of the
    region's calendar under the escalation's pinned policy version (ESC-7). An
    escalation whose policy lacks the region counts in the wall-clock figures only.
    One row per region, sorted by key."""
    qs = Escalation.objects.filter(requested_at__gte=start, requested_at__lt=end).select_related(
        "organization", "policy_version"
    )
    rows: dict[str, RegionStats] = {}
    to_ack: dict[str, list[float]] = defaultdict(list)
    to_close: dict[str, list[float]] = defaultdict(list)
    to_ack_business: dict[str, list[float]] = defaultdict(list)
    to_close_business: dict[str, list[float]] = defaultdict(list)
    outcomes: dict[str, Counter[str]] = defaultdict(Counter)
    for esc in qs.iterator():
        key = esc.region or (esc.organization.region if esc.organization else "") or "unknown"
        if region and key != region:
            continue
        stats = rows.setdefault(key, RegionStats(region=key))
        stats.requested += 1
        outcomes[key][_outcome(esc)] += 1
        ends: list[tuple[dt.datetime, list[float], list[float]]] = []
        if esc.acknowledged_at:
            ends.append((esc.acknowledged_at, to_ack[key], to_ack_business[key]))
        if esc.closed_at and esc.status == EscalationStatus.CLOSED:
            ends.append((esc.closed_at, to_close[key], to_close_business[key]))
        calendar = region_calendar_of(esc, key) if ends else None
        for at, wall, business in ends:
            wall.append((at - esc.requested_at).total_seconds())
            if calendar is not None:
                business.append(calendar.elapsed(esc.requested_at, at).total_seconds())
    for key, stats in rows.items():
        stats.outcomes = dict(sorted(outcomes[key].items()))
        if to_ack[key]:
            stats.acknowledged = len(to_ack[key])
            stats.mean_seconds_to_acknowledge = statistics.fmean(to_ack[key])
            stats.median_seconds_to_acknowledge = statistics.median(to_ack[key])
        if to_ack_business[key]:
            stats.mean_business_seconds_to_acknowledge = statistics.fmean(to_ack_business[key])
            stats.median_business_seconds_to_acknowledge = statistics.median(to_ack_business[key])
        if to_close[key]:
            stats.closed = len(to_close[key])
            stats.mean_seconds_to_close = statistics.fmean(to_close[key])
            stats.median_seconds_to_close = statistics.median(to_close[key])
        if to_close_business[key]:
            stats.mean_business_seconds_to_close = statistics.fmean(to_close_business[key])
            stats.median_business_seconds_to_close = statistics.median(to_close_business[key])
    return [rows[k] for k in sorted(rows)]
