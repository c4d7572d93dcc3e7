"""Follow-the-sun for open work (HRS-3, ESC-9): which open cases move when their
region's support hours end, where they go, and when the last agent is asked for a
hand-over note.

An incident is worked by its client's region in that region's hours (ESC-9); the
policy's ``routing.follow_the_sun`` says which cases continue in the next region to
open instead of waiting for their own region's morning (seed 001's 24/5 service).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from supportdesk.domain.calendars import BusinessCalendar
from supportdesk.domain.policy.model import FollowTheSun, Policy, Region
from supportdesk.domain.routing.regions import next_opening, region_calendar, require_aware

UTC = dt.UTC


@dataclass(frozen=True, slots=True)
class OpenWork:
    """What the rule needs to know of one open case."""

    region: str
    severity: int
    status: str
    #: An accepted escalation is running on the case.
    escalated: bool
    #: The client's own region (ESC-9), where the case hands back to if the policy says so.
    home_region: str


@dataclass(frozen=True, slots=True)
class HandOver:
    """Move the case from ``from_region`` to ``to_region`` (open now, or the first to
    open), with the reason in words for the timeline."""

    from_region: str
    to_region: str
    reason: str


def follows_the_sun(rule: FollowTheSun, work: OpenWork) -> bool:
    """Whether the case continues in another region when its own closes."""
    if work.status in rule.keep_statuses:
        return False
    return work.severity in rule.severities or (rule.escalations and work.escalated)


def region_closed(
    calendars: Mapping[str, BusinessCalendar], region: Region, now: dt.datetime
) -> bool:
    return not region_calendar(calendars, region).is_open(now)


def closing_within(
    calendars: Mapping[str, BusinessCalendar], region: Region, now: dt.datetime, minutes: int
) -> bool:
    """The region is open now and its hours end within ``minutes``: time to ask the
    agents working its handed-over cases for a hand-over note."""
    calendar = region_calendar(calendars, region)
    if not calendar.is_open(now):
        return False
    closes = calendar.next_close(now)
    return closes is not None and closes - now <= dt.timedelta(minutes=minutes)


def next_region(
    policy: Policy,
    calendars: Mapping[str, BusinessCalendar],
    *,
    leaving: str,
    now: dt.datetime,
) -> Region | None:
    """The region that takes over from ``leaving`` at ``now``: the first other region open
    now in policy order, else the other region that opens first (holidays included);
    ``None`` when no other region ever opens."""
    best: tuple[dt.datetime, Region] | None = None
    for region in policy.regions:
        if region.key == leaving:
            continue
        calendar = region_calendar(calendars, region)
        if calendar.is_open(now):
            return region
        opens = next_opening(calendar, now)
        if opens is not None and (best is None or opens < best[0]):
            best = (opens, region)
    return best[1] if best is not None else None


def plan_hand_over(
    policy: Policy,
    calendars: Mapping[str, BusinessCalendar],
    work: OpenWork,
    now: dt.datetime,
) -> HandOver | None:
    """Where ``work`` goes at ``now``, or ``None`` when it stays.

    A case that follows the sun leaves a closed region for :func:`next_region` when that
    region opens before its own does (a gap no region covers keeps it home). With
    ``hand_back`` a case away from home returns as soon as its home region is open."""
    require_aware(now, "now")
    rule = policy.routing.follow_the_sun
    if rule is None or len(policy.regions) < 2:
        return None
    here = policy.region(work.region)
    if rule.hand_back and work.region != work.home_region:
        home = policy.region(work.home_region)
        if not region_closed(calendars, home, now):
            return HandOver(here.key, home.key, f"{home.name} is open again: handed back")
    if not follows_the_sun(rule, work) or not region_closed(calendars, here, now):
        return None
    target = next_region(policy, calendars, leaving=here.key, now=now)
    if target is None:
        return None
    target_calendar = region_calendar(calendars, target)
    if not target_calendar.is_open(now):
        own_opens = next_opening(region_calendar(calendars, here), now)
        target_opens = next_opening(target_calendar, now)
        if own_opens is None or target_opens is None or own_opens <= target_opens:
            return None
    return HandOver(
        here.key,
        target.key,
        f"{here.name} support hours ended: continued by {target.name} (follow-the-sun)",
    )
