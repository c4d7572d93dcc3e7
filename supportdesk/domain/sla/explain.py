"""Why a deadline is when it is: each SLA due as steps over the business calendar
(RSP-1, RSP-2, RSP-6, SEV-4, HRS-1..4).

:func:`explain_deadlines` derives, from the same event history and pinned policy as
:func:`~supportdesk.domain.sla.sla_clocks`, for every clock: the open time that
counted towards its target (split per local day, holidays and reduced hours named),
the spans during which the clock did not run and why, each severity change and how it
re-targeted, and the due. It computes only: explaining never changes a clock.

Invariant (property-tested): the counted pieces add up to the target exactly, and the
last one ends where the target was reached, which is the due unless a severity change
raised the floor (``due = max(reached, first active instant after the change)``).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from supportdesk.domain.calendars import BusinessCalendar
from supportdesk.domain.policy.model import Policy, TargetKind
from supportdesk.domain.sla.clocks import SlaClock, sla_clocks
from supportdesk.domain.sla.history import CaseEvent, History, Span
from supportdesk.domain.sla.spans import active_pieces, active_until, merge, retargeted

_UTC = dt.UTC
_DAY = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class CountedPiece:
    """Open time that counted, within one local day of the clock's calendar.

    ``holiday`` names the holiday whose hours applied that day (``reduced`` when
    those hours were not a full closure), ``None`` on an ordinary day.
    """

    start: dt.datetime
    end: dt.datetime
    day: dt.date
    holiday: str | None = None
    reduced: bool = False

    @property
    def seconds(self) -> int:
        return int((self.end - self.start).total_seconds())


@dataclass(frozen=True, slots=True)
class StoppedSpan:
    """Wall-clock time the clock did not run; ``end`` ``None``: still stopped."""

    start: dt.datetime
    end: dt.datetime | None
    cause: str  # "waiting_on_customer" or "resolved"


@dataclass(frozen=True, slots=True)
class ClosedHoliday:
    """A holiday on which the calendar stayed closed while the clock was counting."""

    day: dt.date
    name: str


@dataclass(frozen=True, slots=True)
class Retarget:
    """A severity change and what it did to this clock (SEV-4).

    ``due_after`` is ``None`` when the new severity has no such target, or while
    paused; ``floored`` is true when the due is the change's instant (or the first
    active one after it) because the new target had already run out.
    """

    at: dt.datetime
    from_severity: int
    to_severity: int
    target_before: dt.timedelta | None
    target_after: dt.timedelta | None
    due_after: dt.datetime | None
    floored: bool


@dataclass(frozen=True, slots=True)
class DeadlineExplanation:
    """One clock explained; ``clock`` is the stored result it explains."""

    clock: SlaClock
    zone: str
    around_the_clock: bool
    counted: tuple[CountedPiece, ...]
    closed_holidays: tuple[ClosedHoliday, ...]
    stopped: tuple[StoppedSpan, ...]
    retargets: tuple[Retarget, ...]
    #: When the active business time reached the target (``None``: not yet knowable).
    reached_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class Explanation:
    policy_id: str
    policy_version: str
    received_at: dt.datetime
    as_of: dt.datetime
    deadlines: tuple[DeadlineExplanation, ...]


def explain_deadlines(
    *,
    policy: Policy,
    calendars: Mapping[str, BusinessCalendar],
    events: Iterable[CaseEvent],
    now: dt.datetime,
) -> Explanation:
    """Every clock of the case as of ``now``, explained. Same contract as
    :func:`~supportdesk.domain.sla.sla_clocks` (the pinned policy, its built
    calendars, any event order); pure."""
    listed = list(events)
    clocks = sla_clocks(policy=policy, calendars=calendars, events=listed, now=now)
    history = History.replay(listed, now)
    deadlines = tuple(_explain(policy, calendars, history, clock) for clock in clocks)
    return Explanation(policy.id, policy.version, history.received_at, now, deadlines)


def _explain(
    policy: Policy,
    calendars: Mapping[str, BusinessCalendar],
    history: History,
    clock: SlaClock,
) -> DeadlineExplanation:
    excluded = _excluded(history, clock.kind)
    stopped = _stopped(history, clock.kind)
    anchor = clock.started_at
    cal = calendars[clock.clock] if clock.clock is not None else None
    if cal is None or anchor is None or clock.target is None:
        zone = calendars[policy.routing.support_calendar].zone.key if calendars else "UTC"
        return DeadlineExplanation(clock, zone, False, (), (), stopped, (), None)
    reached = active_until(cal, anchor, clock.target, excluded)
    limit = reached if reached is not None else (clock.met_at or clock.as_of)
    counted = _counted(cal, anchor, limit, excluded)
    return DeadlineExplanation(
        clock=clock,
        zone=cal.zone.key,
        around_the_clock=cal.is_always_open,
        counted=counted,
        closed_holidays=_closed_holidays(cal, counted),
        stopped=tuple(s for s in stopped if s.end is None or s.end > anchor),
        retargets=_retargets(policy, calendars, history, clock.kind, anchor, excluded),
        reached_at=None if reached is None else reached.astimezone(_UTC),
    )


def _excluded(history: History, kind: TargetKind) -> tuple[Span, ...]:
    # The same spans the clock itself leaves out (see supportdesk.domain.sla).
    if kind is TargetKind.RESOLUTION:
        return merge([*history.pauses, *history.stops])
    return merge(history.pauses)


def _stopped(history: History, kind: TargetKind) -> tuple[StoppedSpan, ...]:
    spans = [StoppedSpan(s, e, "waiting_on_customer") for s, e in history.pauses]
    if kind is TargetKind.RESOLUTION:
        spans += [StoppedSpan(s, e, "resolved") for s, e in history.stops]
    return tuple(sorted(spans, key=lambda s: s.start))


def _counted(
    cal: BusinessCalendar, anchor: dt.datetime, limit: dt.datetime, excluded: tuple[Span, ...]
) -> tuple[CountedPiece, ...]:
    pieces: list[CountedPiece] = []
    for lo, hi in active_pieces(anchor, excluded):
        if lo >= limit:
            break
        for start, end in cal.open_intervals(lo, limit if hi is None else min(hi, limit)):
            pieces.extend(_split_by_day(cal, start, end))
    return tuple(pieces)


def _split_by_day(
    cal: BusinessCalendar, start: dt.datetime, end: dt.datetime
) -> Iterable[CountedPiece]:
    zone = cal.zone
    cursor = start
    while cursor < end:
        day = cursor.astimezone(zone).date()
        midnight = dt.datetime.combine(day + _DAY, dt.time(), tzinfo=zone).astimezone(_UTC)
        stop = min(end, midnight)
        name, reduced = _holiday_on(cal, day)
        yield CountedPiece(cursor.astimezone(_UTC), stop.astimezone(_UTC), day, name, reduced)
        cursor = stop


def _holiday_on(cal: BusinessCalendar, day: dt.date) -> tuple[str | None, bool]:
    """The holiday deciding ``day``'s hours, and whether it only reduced them."""
    for holiday in cal.holidays(day.year):
        if holiday.date == day:
            return holiday.name, bool(cal.day_hours(day))
    return None, False


def _closed_holidays(
    cal: BusinessCalendar, counted: tuple[CountedPiece, ...]
) -> tuple[ClosedHoliday, ...]:
    if not counted:
        return ()
    first, last = counted[0].day, counted[-1].day
    found: list[ClosedHoliday] = []
    for year in range(first.year, last.year + 1):
        for holiday in cal.holidays(year):
            day = holiday.date
            closed = first <= day <= last and not cal.day_hours(day)
            if closed and not any(h.day == day for h in found):
                found.append(ClosedHoliday(holiday.date, holiday.name))
    return tuple(found)


def _retargets(
    policy: Policy,
    calendars: Mapping[str, BusinessCalendar],
    history: History,
    kind: TargetKind,
    anchor: dt.datetime,
    excluded: tuple[Span, ...],
) -> tuple[Retarget, ...]:
    out: list[Retarget] = []
    levels = history.severities
    for (_, before), (at, after) in itertools.pairwise(levels):
        if at < anchor:
            continue
        old, new = _target(policy, before, kind), _target(policy, after, kind)
        due, floored = None, False
        if new is not None:
            cal, amount = calendars[new[1]], new[0]
            due = retargeted(cal, anchor, at, amount, excluded)
            reached = active_until(cal, anchor, amount, excluded)
            floored = due is not None and reached is not None and due > reached
        out.append(
            Retarget(
                at, before, after, old[0] if old else None, new[0] if new else None, due, floored
            )
        )
    return tuple(out)


def _target(policy: Policy, level: int, kind: TargetKind) -> tuple[dt.timedelta, str] | None:
    for target in policy.sla.targets_for(level):
        if target.kind is kind:
            return dt.timedelta(seconds=target.seconds), target.clock
    return None
