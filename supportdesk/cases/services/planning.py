"""Planning work: sprints (PRI-1), manual planning into a sprint, work orders (RSP-3)
and releases (RSP-5)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from supportdesk import clock
from supportdesk.accounts.models import Team, TeamKind, User
from supportdesk.accounts.permissions import NotFound, require
from supportdesk.cases import events
from supportdesk.cases.clocks import policy_of
from supportdesk.cases.models import Case, CaseEvent, Release, Sprint
from supportdesk.cases.permissions import can_plan_work
from supportdesk.cases.selectors import Planning, access_case, planning
from supportdesk.cases.services.records import _touch, stamp
from supportdesk.domain.errors import DomainError
from supportdesk.domain.policy import Policy
from supportdesk.domain.prioritisation import check_sprint_bounds, plan_sprint
from supportdesk.transactions import retry_on_conflict


class SprintConflict(DomainError):
    """A sprint that would clash with another (HTTP 409): its name is taken, or its days
    overlap another sprint of the same team."""


def create_sprint(
    *,
    actor: User,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    team_id: int | None = None,
) -> Sprint:
    """PRI-1: plan a sprint of the development team ``team_id`` (``None``: the shared plan
    of work no team owns). Its bounds are sane (``check_sprint_bounds``) and it overlaps
    no other sprint of that team."""
    require(can_plan_work(actor), _("only support staff plan sprints"), field="name")
    name = name.strip()
    if not name:
        raise DomainError(_("name the sprint"), field="name")
    check_sprint_bounds(starts_on, ends_on)
    with transaction.atomic():
        team = None
        if team_id is not None:
            # Locked: two sprints of one team created at once cannot both pass the check.
            team = Team.objects.select_for_update().filter(pk=team_id).first()
            if team is None:
                raise NotFound(
                    _("team %(team_id)s not found") % {"team_id": team_id}, field="team_id"
                )
        if Sprint.objects.filter(name=name).exists():
            raise SprintConflict(_("sprint '%(name)s' exists") % {"name": name}, field="name")
        clash = (
            Sprint.objects.filter(team=team, starts_on__lte=ends_on, ends_on__gte=starts_on)
            .order_by("starts_on")
            .first()
        )
        if clash is not None:
            dates = {
                "name": clash.name,
                "starts": clash.starts_on.isoformat(),
                "ends": clash.ends_on.isoformat(),
            }
            raise SprintConflict(
                _("%(team)s's sprint '%(name)s' already runs %(starts)s to %(ends)s")
                % {"team": team.name, **dates}
                if team is not None
                else _("the shared sprint '%(name)s' already runs %(starts)s to %(ends)s") % dates,
                field="starts_on",
            )
        return Sprint.objects.create(name=name, team=team, starts_on=starts_on, ends_on=ends_on)


def development_team(case: Case, policy: Policy) -> Team | None:
    """PRI-1: whose sprints the case's engineering work goes into: the case's team when it
    is an engineering team, else the engineering team owning its request type in the
    policy, else none (the shared plan)."""
    if case.team is not None and case.team.kind == TeamKind.ENGINEERING:
        return case.team
    try:
        owner = policy.request_type(case.request_type).owner_team
    except KeyError:
        return None
    if not owner:
        return None
    return Team.objects.filter(key=owner, kind=TeamKind.ENGINEERING).first()


def create_release(
    *,
    actor: User,
    version: str,
    planned_for: dt.date | None = None,
    notes: str = "",
    now: dt.datetime | None = None,
) -> Release:
    now = clock.resolve(now)
    require(can_plan_work(actor), _("only support staff record releases"), field="version")
    if Release.objects.filter(version=version).exists():
        raise DomainError(_("release '%(version)s' exists") % {"version": version}, field="version")
    return Release.objects.create(
        version=version, planned_for=planned_for, notes=notes, created_at=now
    )


@retry_on_conflict
def link_release(
    *, actor: User, case_id: int, release_id: int, now: dt.datetime | None = None
) -> Case:
    """RSP-5: link the release carrying the case's permanent fix."""
    with transaction.atomic():
        case = access_case(actor, case_id, lock=True)
        require(can_plan_work(actor), _("only support staff link releases"), field="release_id")
        now = stamp(case, now)
        release = Release.objects.filter(pk=release_id).first()
        if release is None:
            raise NotFound(
                _("release %(release_id)s not found") % {"release_id": release_id},
                field="release_id",
            )
        case.release = release
        _touch(case, now, "release")
        events.record(case, events.ReleaseLinked(release.version), at=now, actor=actor)
        return case


@retry_on_conflict
def plan_case_into_sprint(
    *, actor: User, case_id: int, sprint_id: int, now: dt.datetime | None = None
) -> Case:
    """PRI-1: an agent moves a case into a chosen sprint (the automatic plan at intake
    is a starting point, not a verdict); the move and who made it are on the timeline."""
    with transaction.atomic():
        case = access_case(actor, case_id, lock=True)
        require(can_plan_work(actor), _("only support staff plan sprints"), field="sprint_id")
        now = stamp(case, now)
        sprint = Sprint.objects.filter(pk=sprint_id).first()
        if sprint is None:
            raise NotFound(
                _("sprint %(sprint_id)s not found") % {"sprint_id": sprint_id}, field="sprint_id"
            )
        if sprint.ends_on < now.date():
            raise DomainError(
                _("%(name)s has already ended") % {"name": sprint.name}, field="sprint_id"
            )
        own = development_team(case, policy_of(case))
        if sprint.team_id is not None and own is not None and sprint.team_id != own.pk:
            raise DomainError(
                _("%(name)s is another team's sprint; the case's work is %(own_name)s's")
                % {"name": sprint.name, "own_name": own.name},
                field="sprint_id",
            )
        moved = _move_to_sprint(case, sprint, now=now, actor=actor, reason="planned by an agent")
        if moved is not None:
            _touch(case, now, "sprint")
            moved.save()
        return case


def file_into_sprint(
    case: Case, policy: Policy, now: dt.datetime, *, sprints: Planning | None = None
) -> list[CaseEvent]:
    """PRI-1: file the case into the sprint ``domain.prioritisation.plan_sprint`` picks,
    among the sprints of its :func:`development_team`, counted from that team's sprint
    covering today (made from ``routing.sprint_days`` when nobody planned one); a planned
    sprint covering the chosen start day is used as is. Returns the timeline event of
    the move (none when the case is already there); saving ``case.sprint`` and that
    event is the caller's. ``sprints``: the caller's :func:`~cases.selectors.planning`,
    when it has one."""
    days = policy.routing.sprint_days
    team = development_team(case, policy)
    today = now.date()
    # One query for every sprint the plan can land in: today up to the last offset.
    horizon = today + dt.timedelta(days=days * (len(policy.severities) + 1))
    sprints = sprints or planning()
    planned = sprints.sprints_overlapping(today, horizon, team_id=team.pk if team else None)

    def covering(day: dt.date) -> Sprint | None:
        return next((s for s in planned if s.starts_on <= day <= s.ends_on), None)

    current = covering(today) or _sprint_starting(today, days, team, planned)
    plan = plan_sprint(
        policy=policy,
        severity=case.severity,
        request_type=case.request_type,
        current_sprint_start=current.starts_on,
    )
    start = plan.starts_on or current.starts_on
    target = (
        current
        if plan.current_sprint
        else covering(start) or _sprint_starting(start, days, team, planned)
    )
    moved = _move_to_sprint(case, target, now=now, actor=None, reason=plan.reason)
    return [] if moved is None else [moved]


def _move_to_sprint(
    case: Case,
    sprint: Sprint,
    *,
    now: dt.datetime,
    actor: User | None,
    reason: str,
) -> CaseEvent | None:
    """Point the case at ``sprint`` and return the move's timeline event, both unsaved;
    None when it is already there."""
    if case.sprint_id == sprint.pk:
        return None
    before = case.sprint.name if case.sprint_id and case.sprint else None
    case.sprint = sprint
    return events.event_row(
        case, events.SprintMoved(before, sprint.name, reason), at=now, actor=actor
    )


def _sprint_starting(start: dt.date, days: int, team: Team | None, planned: list[Sprint]) -> Sprint:
    """The team's sprint made from ``routing.sprint_days`` at ``start`` (no planned sprint
    covers that day), cut short before the team's next planned sprint so the two never
    overlap."""
    later = [s.starts_on for s in planned if s.starts_on > start]
    ends_on = min([start + dt.timedelta(days=days - 1), *(d - dt.timedelta(days=1) for d in later)])
    suffix = f" · {team.key}" if team is not None else ""
    sprint, _ = Sprint.objects.get_or_create(
        name=f"Sprint {start.isoformat()}{suffix}"[: Sprint._meta.get_field("name").max_length],
        defaults={"starts_on": start, "ends_on": ends_on, "team": team},
    )
    return sprint


def apply_work_order(case: Case, policy: Policy) -> list[str]:
    """RSP-3: the lowest severity has no response target; it becomes a work order for
    the engineering team that owns the request type. Returns the fields it changed
    (unsaved)."""
    if case.severity != policy.severities[-1].level:
        if case.work_order:
            case.work_order = False
            return ["work_order"]
        return []
    owner = policy.request_type(case.request_type).owner_team
    team = Team.objects.filter(key=owner).first() if owner else None
    case.work_order = True
    if team is not None:
        case.team = team
    return ["work_order", "team"]
