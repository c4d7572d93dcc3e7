"""Who handles a case at instant ``now``: a region team, the on-call pager, or a queue.

The decision table (docs/routing.md), first matching row wins:

1. SEV-3: a non-urgent request type asking for an emergency severity is refused, with
   guidance to the standard channel (and where standard work would go now).
2. INT-2: an emergency severity outside support hours (the policy's support calendar is
   closed) takes ``routing.after_hours_emergency``: ``page_on_call`` pages the on-call
   engineer and, when ``intake.emergency_requires_callback``, needs a callback number;
   ``queue`` falls through to the rows below.
3. ESC-9: the client's region team, when its region calendar is open.
4. HRS-3 follow-the-sun: another region open now, in the policy's region order.
5. Otherwise the case queues until the earliest next opening of any region (ties go to
   the client's region, then policy order).

An emergency severity routed to a team during support hours also notifies the account
manager when ``routing.in_hours_emergency_notifies_account_manager`` is set (INT-2).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass

from supportdesk.domain.calendars import BusinessCalendar
from supportdesk.domain.errors import DomainError
from supportdesk.domain.policy.model import (
    AfterHoursEmergency,
    Policy,
    Region,
    RequestType,
    SeverityLevel,
)
from supportdesk.domain.routing.regions import (
    RegionPick,
    client_region_of,
    local_time,
    next_opening,
    pick_region,
    region_calendar,
    require_aware,
)

UTC = dt.UTC


class RouteAction(enum.StrEnum):
    TEAM = "team"
    PAGE_ON_CALL = "page_on_call"
    QUEUE = "queue"
    REFUSE = "refuse"


@dataclass(frozen=True, slots=True)
class RouteDecision:
    """Where a new case goes.

    ``region`` is the region key whose team handles (``TEAM``) or will handle
    (``QUEUE``) it; ``None`` when paging. ``next_open`` (aware UTC) is when that
    region opens for ``QUEUE``, when support hours resume for ``PAGE_ON_CALL``, and
    when standard work would be picked up for ``REFUSE``; ``None`` when a team is
    open now.
    """

    action: RouteAction
    region: str | None
    next_open: dt.datetime | None
    explanation: str
    notify_account_manager: bool = False
    needs_callback: bool = False


def _status(policy: Policy, calendars: Mapping[str, BusinessCalendar], now: dt.datetime) -> str:
    parts = []
    for region in policy.regions:
        cal = region_calendar(calendars, region)
        state = "open" if cal.is_open(now) else "closed"
        parts.append(f"{region.name} is {state} ({local_time(cal, now)}, {cal.zone.key})")
    return f"At {now:%Y-%m-%d %H:%M} UTC: " + "; ".join(parts) + "."


def _severity(policy: Policy, level: int) -> SeverityLevel:
    try:
        return policy.severity(level)
    except KeyError:
        known = ", ".join(str(s.level) for s in policy.severities)
        raise DomainError(f"unknown severity {level} (one of: {known})", field="severity") from None


def _standard_route(
    *,
    policy: Policy,
    calendars: Mapping[str, BusinessCalendar],
    client: Region,
    now: dt.datetime,
) -> tuple[RouteAction, RegionPick, str]:
    pick = pick_region(policy=policy, calendars=calendars, client_region=client.key, now=now)
    cal = region_calendar(calendars, pick.region)
    if pick.open_now and not pick.follow_the_sun:
        return (
            RouteAction.TEAM,
            pick,
            f"The client's region {client.name} is open: its team takes the case (ESC-9).",
        )
    if pick.open_now:
        client_opens = next_opening(region_calendar(calendars, client), now)
        later = (
            f"; {client.name} can take over when it opens at "
            f"{local_time(region_calendar(calendars, client), client_opens)}"
            if client_opens is not None
            else ""
        )
        return (
            RouteAction.TEAM,
            pick,
            f"The client's region {client.name} is closed, so {pick.region.name}, open now, "
            f"takes the case (follow-the-sun, HRS-3){later}.",
        )
    return (
        RouteAction.QUEUE,
        pick,
        f"No region is open: the case queues until {pick.region.name} opens at "
        f"{local_time(cal, pick.opens_at)} ({pick.opens_at:%Y-%m-%d %H:%M} UTC), the "
        "earliest next opening.",
    )


def decide_route(
    *,
    policy: Policy,
    calendars: Mapping[str, BusinessCalendar],
    now: dt.datetime,
    severity: int,
    request_type: str,
    client_region: str | None,
) -> RouteDecision:
    """Route a new case of ``severity`` and ``request_type`` at instant ``now``.

    ``calendars`` must be ``build_calendars(policy.calendars)``; ``client_region`` is
    a region key of the policy (``None``: its default region). The first matching row
    of the table in this module's docstring decides. Raises :class:`DomainError`
    (with ``field``) for an unknown severity, request type or region, or a naive
    ``now``. The explanation names the local time in every region's zone.
    """
    require_aware(now, "now")
    now = now.astimezone(UTC)
    level = _severity(policy, severity)
    kind = _request_kind(policy, request_type)
    client = client_region_of(policy, client_region)
    status = _status(policy, calendars, now)
    action, pick, sentence = _standard_route(
        policy=policy, calendars=calendars, client=client, now=now
    )
    if level.emergency and kind.non_urgent:
        return _refuse_non_urgent_emergency(calendars, pick, level, kind, status)
    support = calendars.get(policy.routing.support_calendar)
    if support is None:
        raise DomainError(
            f"support calendar {policy.routing.support_calendar!r} was not built",
            field="calendars",
        )
    in_support_hours = support.is_open(now)
    if (
        level.emergency
        and not in_support_hours
        and policy.routing.after_hours_emergency is AfterHoursEmergency.PAGE_ON_CALL
    ):
        return _page_on_call(policy, support, now, level, status)
    notify = (
        action is RouteAction.TEAM
        and level.emergency
        and in_support_hours
        and policy.routing.in_hours_emergency_notifies_account_manager
    )
    if notify:
        # INT-2: during support hours a Sev1 goes to the account manager and the team.
        sentence += " The account manager is notified as well (INT-2)."
    return RouteDecision(
        action=action,
        region=pick.region.key,
        next_open=None if pick.open_now else pick.opens_at,
        explanation=f"{status} {sentence}",
        notify_account_manager=notify,
    )


def _request_kind(policy: Policy, request_type: str) -> RequestType:
    try:
        return policy.request_type(request_type)
    except KeyError:
        known = ", ".join(t.key for t in policy.request_types)
        raise DomainError(
            f"unknown request type {request_type!r} (one of: {known})", field="request_type"
        ) from None


def _refuse_non_urgent_emergency(
    calendars: Mapping[str, BusinessCalendar],
    pick: RegionPick,
    level: SeverityLevel,
    kind: RequestType,
    status: str,
) -> RouteDecision:
    # SEV-3: "DO NOT use the emergency line for non-urgent technical support issues".
    where = (
        f"{pick.region.name} is open now"
        if pick.open_now
        else f"{pick.region.name} opens at "
        f"{local_time(region_calendar(calendars, pick.region), pick.opens_at)}"
    )
    return RouteDecision(
        action=RouteAction.REFUSE,
        region=pick.region.key,
        next_open=None if pick.open_now else pick.opens_at,
        explanation=(
            f"{status} The request type {kind.name!r} is non-urgent: it never takes the emergency "
            f"path (SEV-3), so severity {level.level} ({level.name}) is refused. Submit it "
            f"through the standard channel as standard work; {where}."
        ),
    )


def _page_on_call(
    policy: Policy, support: BusinessCalendar, now: dt.datetime, level: SeverityLevel, status: str
) -> RouteDecision:
    # INT-2 / RSP-1: after hours a Sev1 pages the on-call engineer; work is continuous.
    resumes = next_opening(support, now)
    callback = policy.intake.emergency_requires_callback
    resume_text = f" Support hours resume at {local_time(support, resumes)}." if resumes else ""
    return RouteDecision(
        action=RouteAction.PAGE_ON_CALL,
        region=None,
        next_open=resumes.astimezone(UTC) if resumes else None,
        explanation=(
            f"{status} Severity {level.level} ({level.name}) outside support hours "
            f"(support calendar {support.name!r} closed at {local_time(support, now)}): "
            "the emergency line pages the on-call engineer (INT-2)"
            + ("; leave a callback number." if callback else ".")
            + resume_text
        ),
        needs_callback=callback,
    )
