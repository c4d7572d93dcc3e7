"""Follow-the-sun for open work (HRS-3, ESC-9): cases handed to the next region to open
when their region's support hours end, the hand-over note, and the prompt to write it.

The rule is policy data (``routing.follow_the_sun``) and the decision is the domain's
(``domain.routing.handover.plan_hand_over``); this module applies it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from supportdesk import clock
from supportdesk.accounts.models import Team, TeamKind, User
from supportdesk.accounts.permissions import require
from supportdesk.cases import events
from supportdesk.cases.clocks import calendars_of, policy_of
from supportdesk.cases.models import Case
from supportdesk.cases.permissions import can_write_internally
from supportdesk.cases.selectors import access_case
from supportdesk.cases.services.records import _touch, stamp
from supportdesk.domain.errors import DomainError
from supportdesk.domain.lifecycle import CaseStatus
from supportdesk.domain.policy import Policy
from supportdesk.domain.routing.handover import (
    HandOver,
    OpenWork,
    closing_within,
    follows_the_sun,
    plan_hand_over,
    region_closed,
)
from supportdesk.domain.routing.regions import region_calendar
from supportdesk.notifications import services as notifications
from supportdesk.notifications.models import MessageKind
from supportdesk.policies.models import PolicyVersion
from supportdesk.policies.selectors import parsed
from supportdesk.transactions import retry_on_conflict

_DONE = (CaseStatus.RESOLVED, CaseStatus.CLOSED)
NOTE_MAX = 4000


def hand_over_open_cases(*, now: dt.datetime | None = None) -> list[int]:
    """HRS-3: move every open case whose region has closed to the region the policy's
    follow-the-sun rule names; returns the ids of the cases moved.

    Idempotent (a moved case is in an open region, or in the one that opens first, so
    the rule keeps it there) and safe to run concurrently: a case being written right
    now is skipped and handed over by the next run. Only cases in a closed region (or
    away from home, where the policy hands back) are read at all."""
    now = clock.resolve(now)
    moved: list[int] = []
    for version in PolicyVersion.objects.defer("source").order_by("pk"):
        policy = parsed(version)
        rule = policy.routing.follow_the_sun
        if rule is None or len(policy.regions) < 2:
            continue
        calendars = calendars_of(version)
        closed = [r.key for r in policy.regions if region_closed(calendars, r, now)]
        leaving = Q(region__in=closed) & ~Q(status__in=rule.keep_statuses)
        moving = Q(severity__in=rule.severities)
        if rule.escalations:
            moving |= Q(escalated=True)
        candidates = leaving & moving
        if rule.hand_back:
            candidates |= ~Q(region=F("organization__region"))
        ids = (
            Case.objects.filter(policy_version=version)
            .exclude(status__in=_DONE)
            .filter(candidates)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        moved += [pk for pk in ids if _hand_over(pk, now)]
    return moved


@retry_on_conflict
def _hand_over(case_id: int, now: dt.datetime) -> bool:
    with transaction.atomic():
        cases = Case.objects.select_related("organization", "policy_version").defer(
            "policy_version__source"
        )
        if connection.features.has_select_for_update_skip_locked:
            cases = cases.select_for_update(skip_locked=True, of=("self",))
        else:
            cases = cases.select_for_update()
        case = cases.filter(pk=case_id).exclude(status__in=_DONE).first()
        if case is None:
            return False
        policy = policy_of(case)
        plan = plan_hand_over(policy, calendars_of(case.policy_version), open_work(case), now)
        if plan is None or plan.to_region == case.region:
            return False
        _apply(case, plan, stamp(case, now))
        return True


def open_work(case: Case) -> OpenWork:
    """What the hand-over rule needs to know of ``case`` (read with its organisation)."""
    return OpenWork(
        region=case.region,
        severity=case.severity,
        status=case.status,
        escalated=case.escalated,
        home_region=case.organization.region,
    )


def _apply(case: Case, plan: HandOver, now: dt.datetime) -> None:
    """Move the case, record the event with the note, and tell the receiving team."""
    team = Team.objects.filter(kind=TeamKind.SUPPORT, region=plan.to_region).order_by("id").first()
    case.region = plan.to_region
    changed = ["region"]
    if team is not None and (case.team is None or case.team.kind == TeamKind.SUPPORT):
        case.team = team
        changed.append("team")
    _touch(case, now, *changed)
    entry = events.HandedOver(plan.from_region, plan.to_region, plan.reason, case.handover_note)
    row = events.record(case, entry, at=now, actor=None)
    if team is None:
        return
    note = case.handover_note.strip() or "(no hand-over note was written)"
    notifications.enqueue(
        kind=MessageKind.EMAIL,
        subject=f"{case.reference} Sev{case.severity} handed to you: {case.title}",
        body=f"{plan.reason}.\n\nHand-over note:\n{note}",
        # One notice per hand-over (the event), whatever the number of runs.
        dedupe_key=f"case:{case.pk}:handover:{row.pk}",
        team=team,
        severity=case.severity,
        now=now,
    )


@retry_on_conflict
def write_handover_note(
    *, actor: User, case_id: int, note: str, now: dt.datetime | None = None
) -> Case:
    """HRS-3: the note the case's working region leaves for the next region to open
    (shown on the case and carried by the hand-over event). Staff only."""
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise DomainError(
            _("the hand-over note is longer than %(limit)s characters") % {"limit": NOTE_MAX},
            field="note",
        )
    with transaction.atomic():
        case = access_case(actor, case_id, lock=True)
        require(
            can_write_internally(actor), _("only support staff write hand-over notes"), field="note"
        )
        now = stamp(case, now)
        case.handover_note = note
        _touch(case, now, "handover_note")
        return case


@dataclass(frozen=True, slots=True)
class HandOverPrompt:
    """The case's region closes soon and the case will continue elsewhere."""

    region: str
    closes_at: dt.datetime
    #: Whether the note is still empty.
    missing_note: bool


def handover_prompt(case: Case, *, now: dt.datetime | None = None) -> HandOverPrompt | None:
    """HRS-3: whether to ask for a hand-over note now: the case follows the sun and its
    working region closes within the policy's ``prompt_minutes_before_close``. Reads
    no row (the case comes with its organisation and policy version)."""
    if case.status in _DONE:
        return None
    now = clock.resolve(now)
    policy: Policy = policy_of(case)
    rule = policy.routing.follow_the_sun
    if rule is None or len(policy.regions) < 2:
        return None
    try:
        region = policy.region(case.region)
    except KeyError:
        return None
    if not follows_the_sun(rule, open_work(case)):
        return None
    calendars = calendars_of(case.policy_version)
    if not closing_within(calendars, region, now, rule.prompt_minutes):
        return None
    closes = region_calendar(calendars, region).next_close(now)
    assert closes is not None  # closing_within found it
    return HandOverPrompt(region.name, closes, not case.handover_note.strip())
