"""Who is on call at an instant, and when that changes (issue 7).

A schedule has layers in priority order; each layer is a rotation of participants
handing off at a local wall-clock time in an IANA zone, daily or weekly, optionally
restricted to weekly active hours. Temporary overrides beat every layer. When every
layer has a hole, the schedule's fallback person (the team's escalation manager) is on
call and the answer says ``coverage_gap=True``.

Daylight-saving rule for every local time here (hand-offs and active-hour boundaries),
see docs/oncall.md:

* a wall time inside the *skipped* hour (spring forward) happens at the first instant
  after the gap, i.e. at the transition itself (02:30 in New York on 8 March 2026 is
  03:00 EDT = 07:00 UTC);
* a wall time inside the *repeated* hour (fall back) happens at its first occurrence
  (``fold=0``: 01:30 in New York on 1 November 2026 is 01:30 EDT = 05:30 UTC).
"""

from __future__ import annotations

import datetime as dt
import enum
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from supportdesk.domain.calendars.spec import DAY_SECONDS, DayHours, Weekday
from supportdesk.domain.errors import DomainError

UTC = dt.UTC


#: How far :func:`next_handoff` looks before concluding the answer never changes.
HANDOFF_HORIZON = dt.timedelta(days=400)


class RotationPeriod(enum.StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"


class OnCallSource(enum.StrEnum):
    """Where an on-call answer came from."""

    OVERRIDE = "override"
    LAYER = "layer"
    FALLBACK = "fallback"
    NOBODY = "nobody"


@dataclass(frozen=True, slots=True)
class Layer:
    """One rotation.

    Shift ``k`` (``k >= 0``) starts at the ``k``-th hand-off and belongs to
    ``participants[k % len(participants)]``. Hand-offs happen at ``handoff_time`` in
    ``zone`` every day (``DAILY``) or every week on ``handoff_weekday`` (``WEEKLY``).
    The first hand-off is the first qualifying date on or after ``start``; before it
    the layer is empty (a hole). ``active``, when given, has seven entries (Monday
    first) of local hours in ``zone``; outside them the layer is empty too.
    """

    name: str
    participants: tuple[str, ...]
    handoff_time: dt.time
    zone: str
    period: RotationPeriod
    start: dt.date
    handoff_weekday: Weekday | None = None
    active: tuple[DayHours, ...] | None = None

    def __post_init__(self) -> None:
        where = f"layers.{self.name}"
        if not self.participants:
            raise DomainError(f"{where}: a rotation needs at least one participant")
        if self.handoff_time.tzinfo is not None:
            raise DomainError(f"{where}: handoff_time is a local wall time; give no tzinfo")
        _zone(self.zone, where)
        if self.period is RotationPeriod.WEEKLY and self.handoff_weekday is None:
            raise DomainError(f"{where}: a weekly rotation needs handoff_weekday")
        if self.period is RotationPeriod.DAILY and self.handoff_weekday is not None:
            raise DomainError(
                f"{where}: a daily rotation hands off every day; drop handoff_weekday"
            )
        if self.active is not None and len(self.active) != 7:
            raise DomainError(f"{where}: active needs seven days of hours, Monday first")

    @property
    def first_handoff_date(self) -> dt.date:
        if self.handoff_weekday is None:
            return self.start
        return self.start + dt.timedelta(days=(self.handoff_weekday - self.start.weekday()) % 7)

    @property
    def period_days(self) -> int:
        return 1 if self.period is RotationPeriod.DAILY else 7


@dataclass(frozen=True, slots=True)
class Override:
    """``person`` is on call during ``[start, end)``, whatever the layers say."""

    start: dt.datetime
    end: dt.datetime
    person: str

    def __post_init__(self) -> None:
        _require_aware(self.start, "overrides.start")
        _require_aware(self.end, "overrides.end")
        if self.end <= self.start:
            raise DomainError("an override must end after it starts", field="overrides.end")


@dataclass(frozen=True, slots=True)
class Schedule:
    """Layers in priority order (first wins), overrides, and the fallback person.

    Among overlapping overrides the one listed last wins (the most recently added).
    ``fallback`` is the team's escalation manager; ``None`` means a hole in every layer
    leaves nobody on call.
    """

    name: str
    layers: tuple[Layer, ...]
    overrides: tuple[Override, ...] = ()
    fallback: str | None = None


@dataclass(frozen=True, slots=True)
class OnCallAnswer:
    person: str | None
    source: OnCallSource
    #: The layer that answered (``None`` for an override, the fallback or nobody).
    layer: str | None = None
    #: Every layer had a hole at that instant (the fallback, if any, was used).
    coverage_gap: bool = False


@dataclass(frozen=True, slots=True)
class Handoff:
    at: dt.datetime
    before: OnCallAnswer
    after: OnCallAnswer


# -- local wall time -> instant -------------------------------------------------------


@lru_cache(maxsize=64)
def _zone_cached(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def _zone(name: str, where: str) -> zoneinfo.ZoneInfo:
    try:
        return _zone_cached(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise DomainError(f"{where}: unknown time zone {name!r}", field="zone") from exc


def _require_aware(value: dt.datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise DomainError(f"{name} must be an aware datetime (got a naive one)", field=name)


def resolve_local(day: dt.date, seconds: int, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """The UTC instant of local wall time ``day`` + ``seconds`` after midnight in ``zone``.

    ``seconds`` may be ``DAY_SECONDS`` (24:00 is the next day's 00:00). A wall time in a
    skipped hour resolves to the transition instant (the first instant after the gap);
    one in a repeated hour resolves to its first occurrence (``fold=0``).
    """
    if seconds >= DAY_SECONDS:
        day, seconds = day + dt.timedelta(days=seconds // DAY_SECONDS), seconds % DAY_SECONDS
    naive = dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=seconds)
    first = naive.replace(tzinfo=zone, fold=0)
    instant = first.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == naive:
        return instant  # exists (fold=0 is the first occurrence when repeated)
    # In a gap: fold=0 maps with the offset before the transition (an instant after
    # it), fold=1 with the offset after (an instant before it). Bisect to the second.
    lo = int(naive.replace(tzinfo=zone, fold=1).astimezone(UTC).timestamp())
    hi = int(instant.timestamp())
    before = dt.datetime.fromtimestamp(lo, zone).utcoffset()
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if dt.datetime.fromtimestamp(mid, zone).utcoffset() == before:
            lo = mid
        else:
            hi = mid
    return dt.datetime.fromtimestamp(hi, UTC)


def _seconds(t: dt.time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


# -- layers ---------------------------------------------------------------------------


def _handoff_instant(layer: Layer, k: int) -> dt.datetime:
    day = layer.first_handoff_date + dt.timedelta(days=k * layer.period_days)
    return resolve_local(day, _seconds(layer.handoff_time), _zone_cached(layer.zone))


def _shift_index(layer: Layer, at: dt.datetime) -> int | None:
    """The shift running at ``at``: the largest k with hand-off k <= at, or None."""
    local_day = at.astimezone(_zone_cached(layer.zone)).date()
    guess = (local_day - layer.first_handoff_date).days // layer.period_days
    for k in (guess + 1, guess, guess - 1):
        if k >= 0 and _handoff_instant(layer, k) <= at:
            return k
    return None


def _active_windows(layer: Layer, day: dt.date) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    assert layer.active is not None
    zone = _zone_cached(layer.zone)
    for interval in layer.active[day.weekday()]:
        yield resolve_local(day, interval.start, zone), resolve_local(day, interval.end, zone)


def _is_active(layer: Layer, at: dt.datetime) -> bool:
    if layer.active is None:
        return True
    local_day = at.astimezone(_zone_cached(layer.zone)).date()
    for day in (local_day - dt.timedelta(days=1), local_day, local_day + dt.timedelta(days=1)):
        if any(start <= at < end for start, end in _active_windows(layer, day)):
            return True
    return False


def layer_person(layer: Layer, at: dt.datetime) -> str | None:
    """Who the layer puts on call at ``at``, or ``None`` for a hole."""
    _require_aware(at, "at")
    if not _is_active(layer, at):
        return None
    k = _shift_index(layer, at)
    return None if k is None else layer.participants[k % len(layer.participants)]


def who_is_on_call(schedule: Schedule, at: dt.datetime) -> OnCallAnswer:
    """The on-call answer at instant ``at`` (aware; any zone).

    Overrides beat layers (the last listed override wins among overlapping ones);
    then the first layer, in priority order, with someone on call; if every layer
    has a hole, the fallback person with ``coverage_gap=True`` (``NOBODY`` when the
    schedule has no fallback).
    """
    _require_aware(at, "at")
    for override in reversed(schedule.overrides):
        if override.start <= at < override.end:
            return OnCallAnswer(override.person, OnCallSource.OVERRIDE)
    for layer in schedule.layers:
        person = layer_person(layer, at)
        if person is not None:
            return OnCallAnswer(person, OnCallSource.LAYER, layer=layer.name)
    if schedule.fallback is not None:
        return OnCallAnswer(schedule.fallback, OnCallSource.FALLBACK, coverage_gap=True)
    return OnCallAnswer(None, OnCallSource.NOBODY, coverage_gap=True)


def _boundaries(schedule: Schedule, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """Every instant in ``(start, end]`` at which some input of the answer may change."""
    out: set[dt.datetime] = set()
    for override in schedule.overrides:
        out.update((override.start, override.end))
    for layer in schedule.layers:
        zone = _zone_cached(layer.zone)
        first = start.astimezone(zone).date() - dt.timedelta(days=2)
        last = end.astimezone(zone).date() + dt.timedelta(days=2)
        k = max(0, (first - layer.first_handoff_date).days // layer.period_days)
        while (instant := _handoff_instant(layer, k)) <= end:
            out.add(instant)
            k += 1
        if layer.active is not None:
            day = first
            while day <= last:
                for a, b in _active_windows(layer, day):
                    out.update((a, b))
                day += dt.timedelta(days=1)
    return sorted(t for t in out if start < t <= end)


def next_handoff(schedule: Schedule, after: dt.datetime) -> Handoff | None:
    """The first instant strictly after ``after`` at which the person on call changes.

    "Changes" means a different person or a change of ``coverage_gap``; a rotation
    handing over to the same person (a one-person rotation) is not a hand-off.
    Returns ``None`` when nothing changes within :data:`HANDOFF_HORIZON`.
    """
    _require_aware(after, "after")
    current = who_is_on_call(schedule, after)
    window = dt.timedelta(days=8)
    start = after
    while start - after < HANDOFF_HORIZON:
        end = start + window
        for instant in _boundaries(schedule, start, end):
            answer = who_is_on_call(schedule, instant)
            if (answer.person, answer.coverage_gap) != (current.person, current.coverage_gap):
                return Handoff(instant.astimezone(UTC), current, answer)
        start = end
    return None
