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

Also here: the coverage gaps of a follow-the-sun policy (HRS-3) and the validation of
an after-hours callback number (INT-2).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass

import phonenumbers

from supportdesk.domain.calendars import BusinessCalendar, NeverOpensError
from supportdesk.domain.errors import DomainError
from supportdesk.domain.policy.model import AfterHoursEmergency, Policy, Region, SeverityLevel

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


@dataclass(frozen=True, slots=True)
class RegionPick:
    """The region chosen at ``now`` and when it is (or becomes) open."""

    region: Region
    open_now: bool
    #: ``now`` itself when open now, else the region's next opening (aware UTC).
    opens_at: dt.datetime
    #: The region is not the client's own (follow-the-sun, HRS-3).
    follow_the_sun: bool


@dataclass(frozen=True, slots=True)
class CoverageGap:
    """An interval [start, end) (aware UTC) when no region calendar is open (HRS-3)."""

    start: dt.datetime
    end: dt.datetime

    @property
    def duration(self) -> dt.timedelta:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class WeekCoverage:
    """The coverage gaps of one ISO week, cut at the week's bounds (Monday 00:00 UTC)."""

    iso_year: int
    week: int
    start: dt.datetime
    end: dt.datetime
    gaps: tuple[CoverageGap, ...]

    @property
    def label(self) -> str:
        return f"{self.iso_year}-W{self.week:02d}"

    @property
    def uncovered(self) -> dt.timedelta:
        return sum((g.duration for g in self.gaps), dt.timedelta(0))


# -- inputs -----------------------------------------------------------------------------


def _require_aware(value: dt.datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise DomainError(
            f"{value.isoformat()} has no UTC offset; an instant is needed", field=name
        )


def _region_calendar(
    policy: Policy, calendars: Mapping[str, BusinessCalendar], region: Region
) -> BusinessCalendar:
    try:
        return calendars[region.calendar]
    except KeyError:
        raise DomainError(
            f"region {region.key!r} names calendar {region.calendar!r}, which was not built",
            field="calendars",
        ) from None


def _client_region(policy: Policy, key: str | None) -> Region:
    wanted = key or policy.default_region
    try:
        return policy.region(wanted)
    except KeyError:
        known = ", ".join(r.key for r in policy.regions)
        raise DomainError(f"unknown region {wanted!r} (one of: {known})", field="region") from None


def _next_open(calendar: BusinessCalendar, now: dt.datetime) -> dt.datetime | None:
    try:
        return calendar.next_open(now)
    except NeverOpensError:
        return None


def local_time(calendar: BusinessCalendar, at: dt.datetime) -> str:
    """``at`` on ``calendar``'s clock, e.g. ``Tue 2026-03-10 18:00 CET``."""
    return at.astimezone(calendar.zone).strftime("%a %Y-%m-%d %H:%M %Z")


def _status(policy: Policy, calendars: Mapping[str, BusinessCalendar], now: dt.datetime) -> str:
    parts = []
    for region in policy.regions:
        cal = _region_calendar(policy, calendars, region)
        state = "open" if cal.is_open(now) else "closed"
        parts.append(f"{region.name} is {state} ({local_time(cal, now)}, {cal.zone.key})")
    return f"At {now:%Y-%m-%d %H:%M} UTC: " + "; ".join(parts) + "."


# -- region choice ----------------------------------------------------------------------


def pick_region(
    *,
    policy: Policy,
    calendars: Mapping[str, BusinessCalendar],
    client_region: str | None,
    now: dt.datetime,
) -> RegionPick:
    """The region whose team takes work at ``now`` (ESC-7, ESC-9, HRS-3).

    The client's region (``None``: the policy's default region) when its calendar is
    open; else the first region open now in policy order; else the region opening
    earliest (ties: the client's region, then policy order). ``calendars`` must be
    ``build_calendars(policy.calendars)``. Raises :class:`DomainError` for an unknown
    region, a naive ``now``, or when no region ever opens again.
    """
    _require_aware(now, "now")
    now = now.astimezone(UTC)
    client = _client_region(policy, client_region)
    # ESC-9: the client's own region first; HRS-3: then whoever is open, policy order.
    ordered = (client, *(r for r in policy.regions if r.key != client.key))
    for region in ordered:
        if _region_calendar(policy, calendars, region).is_open(now):
            return RegionPick(region, True, now, region.key != client.key)
    best: tuple[dt.datetime, Region] | None = None
    for region in ordered:
        opens = _next_open(_region_calendar(policy, calendars, region), now)
        if opens is not None and (best is None or opens < best[0]):
            best = (opens, region)
    if best is None:
        raise DomainError("no region calendar opens again", field="calendars")
    opens, region = best
    return RegionPick(region, False, opens.astimezone(UTC), region.key != client.key)


# -- the routing decision ---------------------------------------------------------------


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
    cal = _region_calendar(policy, calendars, pick.region)
    if pick.open_now and not pick.follow_the_sun:
        return (
            RouteAction.TEAM,
            pick,
            f"The client's region {client.name} is open: its team takes the case (ESC-9).",
        )
    if pick.open_now:
        client_opens = _next_open(_region_calendar(policy, calendars, client), now)
        later = (
            f"; {client.name} can take over when it opens at "
            f"{local_time(_region_calendar(policy, calendars, client), client_opens)}"
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
    _require_aware(now, "now")
    now = now.astimezone(UTC)
    level = _severity(policy, severity)
    try:
        kind = policy.request_type(request_type)
    except KeyError:
        known = ", ".join(t.key for t in policy.request_types)
        raise DomainError(
            f"unknown request type {request_type!r} (one of: {known})", field="request_type"
        ) from None
    client = _client_region(policy, client_region)
    status = _status(policy, calendars, now)
    action, pick, sentence = _standard_route(
        policy=policy, calendars=calendars, client=client, now=now
    )
    if level.emergency and kind.non_urgent:
        # SEV-3: "DO NOT use the emergency line for non-urgent technical support issues".
        where = (
            f"{pick.region.name} is open now"
            if pick.open_now
            else f"{pick.region.name} opens at "
            f"{local_time(_region_calendar(policy, calendars, pick.region), pick.opens_at)}"
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
        # INT-2 / RSP-1: after hours a Sev1 pages the on-call engineer; work is continuous.
        resumes = _next_open(support, now)
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


# -- coverage (HRS-3) -------------------------------------------------------------------


def coverage_gaps(
    *,
    policy: Policy,
    calendars: Mapping[str, BusinessCalendar],
    start: dt.datetime,
    end: dt.datetime,
) -> tuple[CoverageGap, ...]:
    """The intervals within [start, end) when no region calendar of ``policy`` is open.

    Sorted, disjoint, clipped to [start, end), in UTC. Empty when ``end <= start``.
    Holidays count: a region closed for a holiday leaves its hours uncovered unless
    another region is open.
    """
    _require_aware(start, "start")
    _require_aware(end, "end")
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        return ()
    spans = sorted(
        span
        for region in policy.regions
        for span in _region_calendar(policy, calendars, region).open_intervals(start, end)
    )
    gaps: list[CoverageGap] = []
    cursor = start
    for lo, hi in spans:
        if lo > cursor:
            gaps.append(CoverageGap(cursor, lo))
        cursor = max(cursor, hi)
    if cursor < end:
        gaps.append(CoverageGap(cursor, end))
    return tuple(gaps)


def weekly_coverage(
    *, policy: Policy, calendars: Mapping[str, BusinessCalendar], year: int
) -> tuple[WeekCoverage, ...]:
    """The coverage gaps of every ISO week of ISO ``year``, week by week (HRS-3).

    Weeks run Monday 00:00 UTC to the next Monday 00:00 UTC; a gap crossing that
    boundary (a weekend) is cut in two. The gap moves during the weeks when the US and
    EU daylight-saving dates differ.
    """
    try:
        first = dt.date.fromisocalendar(year, 1, 1)
        stop = dt.date.fromisocalendar(year + 1, 1, 1)
    except ValueError as exc:
        raise DomainError(f"year {year} is out of range", field="year") from exc
    lo = dt.datetime.combine(first, dt.time(), UTC)
    hi = dt.datetime.combine(stop, dt.time(), UTC)
    gaps = coverage_gaps(policy=policy, calendars=calendars, start=lo, end=hi)
    weeks: list[WeekCoverage] = []
    week_start = lo
    i = 0
    while week_start < hi:
        week_end = week_start + dt.timedelta(days=7)
        pieces: list[CoverageGap] = []
        while i < len(gaps) and gaps[i].start < week_end:
            g = gaps[i]
            pieces.append(CoverageGap(max(g.start, week_start), min(g.end, week_end)))
            if g.end <= week_end:
                i += 1
            else:
                break
        iso = week_start.date().isocalendar()
        weeks.append(WeekCoverage(iso.year, iso.week, week_start, week_end, tuple(pieces)))
        week_start = week_end
    return tuple(weeks)


# -- callback numbers (INT-2) -----------------------------------------------------------


def validate_callback_number(raw: str, default_region: str | None = None) -> str:
    """The callback number in E.164 (``+18022532905``), or :class:`DomainError`.

    ``default_region`` is an ISO 3166 country code (``"US"``, ``"SE"``) used when
    ``raw`` has no ``+`` country prefix; without it such a number is refused. The error
    has ``field="callback_number"`` and says why.
    """
    text = (raw or "").strip()
    if not text:
        raise DomainError(
            "an after-hours emergency must leave a callback number (INT-2)",
            field="callback_number",
        )
    region = default_region.upper() if default_region else None
    if region is not None and region not in phonenumbers.SUPPORTED_REGIONS:
        raise DomainError(
            f"{default_region!r} is not a country code phone numbers know",
            field="callback_number",
        )
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        reasons = {
            phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: (
                "has no valid country code; start it with + and the country code"
            ),
            phonenumbers.NumberParseException.NOT_A_NUMBER: "is not a phone number",
            phonenumbers.NumberParseException.TOO_SHORT_NSN: "is too short",
            phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: "is too short",
            phonenumbers.NumberParseException.TOO_LONG: "is too long",
        }
        reason = reasons.get(exc.error_type, "cannot be read as a phone number")
        raise DomainError(f"{text!r} {reason}", field="callback_number") from exc
    if not phonenumbers.is_valid_number(number):
        raise DomainError(
            f"{text!r} is not a valid number for its country "
            f"(+{number.country_code}); check the digits",
            field="callback_number",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
