"""Who is on call at an instant, when that changes, and what a page should do next.

Two pure halves:

* **Schedules** (issue 7). A schedule has layers in priority order; each layer is a
  rotation of participants handing off at a local wall-clock time in an IANA zone,
  daily or weekly, optionally restricted to weekly active hours. Temporary overrides
  beat every layer. When every layer has a hole, the schedule's fallback person (the
  team's escalation manager) is on call and the answer says ``coverage_gap=True``.
* **Paging plans.** Given a page's escalation steps and its history, which
  notifications are due now and when to look again. The plan is a function of its
  inputs only, so a worker that runs twice (or late) computes the same answer and the
  idempotency key of each due notification lets the outbox drop duplicates.

Daylight-saving rule for every local time in this module (hand-offs and active-hour
boundaries), see docs/oncall.md:

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
from collections.abc import Iterator, Sequence
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


# -- paging plans ---------------------------------------------------------------------


class PageState(enum.StrEnum):
    PAGING = "paging"
    ACKNOWLEDGED = "acknowledged"
    #: Every step has run its course without an acknowledgement.
    EXHAUSTED = "exhausted"


@dataclass(frozen=True, slots=True)
class PageStep:
    """One escalation step of a page, its targets resolved when the page was created.

    Every target is notified when the step starts and again every ``renotify_every``
    (``None``: once) until the page escalates to the next step ``escalate_after`` the
    step started. A step with no targets (its on-call lookup yielded nobody) lasts no
    time at all: the page moves on to the next step at once.
    """

    targets: tuple[str, ...]
    escalate_after: dt.timedelta
    renotify_every: dt.timedelta | None = None

    def __post_init__(self) -> None:
        if self.escalate_after <= dt.timedelta(0):
            raise DomainError("escalate_after must be positive", field="escalate_after")
        if self.renotify_every is not None and self.renotify_every <= dt.timedelta(0):
            raise DomainError("renotify_every must be positive", field="renotify_every")


@dataclass(frozen=True, slots=True)
class SentNotification:
    """A notification the service recorded as sent (copied from a :class:`DueNotification`)."""

    step: int
    target: str
    round: int
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class DueNotification:
    step: int
    target: str
    #: 0 for the first notification of the step, 1, 2, ... for re-notifications.
    round: int
    #: The instant the schedule said it was due (at or before ``now``).
    due_at: dt.datetime

    @property
    def key(self) -> str:
        """A stable idempotency key for the outbox: the same slot always has the same key."""
        return f"{self.step}:{self.target}:{self.round}"


@dataclass(frozen=True, slots=True)
class PagePlan:
    state: PageState
    #: The step running at ``now`` (``None`` before the page starts, once acknowledged
    #: or exhausted).
    step: int | None
    due: tuple[DueNotification, ...]
    #: When to compute the plan again (the next notification slot or the instant the
    #: page runs out of steps); ``None`` when nothing more will ever happen.
    wake_at: dt.datetime | None
    #: When the last step ran out, if the page is (or will be) exhausted.
    exhausted_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class _Span:
    index: int
    step: PageStep
    start: dt.datetime
    end: dt.datetime


def _spans(steps: Sequence[PageStep], created_at: dt.datetime) -> list[_Span]:
    out: list[_Span] = []
    start = created_at
    for i, step in enumerate(steps):
        # A step whose lookup yielded nobody is skipped at once: it takes no time.
        end = start + step.escalate_after if step.targets else start
        out.append(_Span(i, step, start, end))
        start = end
    return out


def next_page_actions(
    *,
    steps: Sequence[PageStep],
    created_at: dt.datetime,
    sent: Sequence[SentNotification],
    acknowledged_at: dt.datetime | None,
    now: dt.datetime,
) -> PagePlan:
    """What to send now for a page, and when to look again.

    The timeline is fixed by ``created_at`` and the steps, not by when notifications
    actually went out: step ``i`` runs from the end of step ``i - 1`` for its
    ``escalate_after`` and notifies its targets at its start and every
    ``renotify_every``. At ``now`` only the running step's latest slot per target is
    due, and only if no notification for that target in that step with the same or a
    later round was sent (a late worker sends one catch-up notification, not every
    missed one; earlier steps are not notified in retrospect). An acknowledgement at
    or before ``now`` stops everything.

    Pure and idempotent: the answer depends on the arguments only.
    """
    _require_aware(created_at, "created_at")
    _require_aware(now, "now")
    if acknowledged_at is not None:
        _require_aware(acknowledged_at, "acknowledged_at")
        if acknowledged_at <= now:
            return PagePlan(PageState.ACKNOWLEDGED, None, (), None)
    spans = _spans(steps, created_at)
    exhausted_at = spans[-1].end if spans else created_at
    if now < created_at:
        return PagePlan(PageState.PAGING, None, (), created_at, exhausted_at)
    running = next((s for s in spans if s.start <= now < s.end), None)
    if running is None:
        return PagePlan(PageState.EXHAUSTED, None, (), None, exhausted_at)
    step = running.step
    if step.renotify_every is None:
        last_round, due_at, next_slot = 0, running.start, None
    else:
        last_round = (now - running.start) // step.renotify_every
        due_at = running.start + last_round * step.renotify_every
        next_slot = due_at + step.renotify_every
    done = {(n.target, n.round) for n in sent if n.step == running.index}
    due = tuple(
        DueNotification(running.index, target, last_round, due_at.astimezone(UTC))
        for target in dict.fromkeys(step.targets)
        if not any(t == target and r >= last_round for t, r in done)
    )
    wake = running.end if next_slot is None or next_slot >= running.end else next_slot
    return PagePlan(PageState.PAGING, running.index, due, wake.astimezone(UTC), exhausted_at)


__all__ = [
    "HANDOFF_HORIZON",
    "DueNotification",
    "Handoff",
    "Layer",
    "OnCallAnswer",
    "OnCallSource",
    "Override",
    "PagePlan",
    "PageState",
    "PageStep",
    "RotationPeriod",
    "Schedule",
    "SentNotification",
    "layer_person",
    "next_handoff",
    "next_page_actions",
    "resolve_local",
    "who_is_on_call",
]
