"""Which region's team takes work at an instant (ESC-7, ESC-9, HRS-3), and the shared
helpers for region calendars."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from supportdesk.domain.calendars import BusinessCalendar, NeverOpensError
from supportdesk.domain.errors import DomainError
from supportdesk.domain.policy.model import Policy, Region

UTC = dt.UTC


@dataclass(frozen=True, slots=True)
class RegionPick:
    """The region chosen at ``now`` and when it is (or becomes) open."""

    region: Region
    open_now: bool
    #: ``now`` itself when open now, else the region's next opening (aware UTC).
    opens_at: dt.datetime
    #: The region is not the client's own (follow-the-sun, HRS-3).
    follow_the_sun: bool


def require_aware(value: dt.datetime, name: str) -> None:
    """Refuse a naive datetime: a :class:`DomainError` with ``field=name``."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise DomainError(
            f"{value.isoformat()} has no UTC offset; an instant is needed", field=name
        )


def region_calendar(calendars: Mapping[str, BusinessCalendar], region: Region) -> BusinessCalendar:
    """The built calendar of ``region``, or :class:`DomainError` when it is missing."""
    try:
        return calendars[region.calendar]
    except KeyError:
        raise DomainError(
            f"region {region.key!r} names calendar {region.calendar!r}, which was not built",
            field="calendars",
        ) from None


def client_region_of(policy: Policy, key: str | None) -> Region:
    """The policy's region ``key`` (``None``: the default region), or :class:`DomainError`."""
    wanted = key or policy.default_region
    try:
        return policy.region(wanted)
    except KeyError:
        known = ", ".join(r.key for r in policy.regions)
        raise DomainError(f"unknown region {wanted!r} (one of: {known})", field="region") from None


def next_opening(calendar: BusinessCalendar, now: dt.datetime) -> dt.datetime | None:
    """``calendar.next_open(now)``; ``None`` when it never opens within the engine's horizon."""
    try:
        return calendar.next_open(now)
    except NeverOpensError:
        return None


def local_time(calendar: BusinessCalendar, at: dt.datetime) -> str:
    """``at`` on ``calendar``'s clock, e.g. ``Tue 2026-03-10 18:00 CET``."""
    return at.astimezone(calendar.zone).strftime("%a %Y-%m-%d %H:%M %Z")


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
    require_aware(now, "now")
    now = now.astimezone(UTC)
    client = client_region_of(policy, client_region)
    # ESC-9: the client's own region first; HRS-3: then whoever is open, policy order.
    ordered = (client, *(r for r in policy.regions if r.key != client.key))
    for region in ordered:
        if region_calendar(calendars, region).is_open(now):
            return RegionPick(region, True, now, region.key != client.key)
    best: tuple[dt.datetime, Region] | None = None
    for region in ordered:
        opens = next_opening(region_calendar(calendars, region), now)
        if opens is not None and (best is None or opens < best[0]):
            best = (opens, region)
    if best is None:
        raise DomainError("no region calendar opens again", field="calendars")
    opens, region = best
    return RegionPick(region, False, opens.astimezone(UTC), region.key != client.key)
