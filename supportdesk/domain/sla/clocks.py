"""The clocks of one case as of an instant, and what the sweep and the queue read from
them (RSP-1, RSP-2, RSP-6, SEV-4). The rules are stated in :mod:`supportdesk.domain.sla`."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from supportdesk.domain.calendars import BusinessCalendar
from supportdesk.domain.policy.model import Policy, SlaTarget, TargetKind
from supportdesk.domain.sla.history import (
    CaseEvent,
    History,
    SlaError,
    Span,
    check_aware,
)
from supportdesk.domain.sla.spans import (
    ZERO,
    active_elapsed,
    merge,
    overlap,
    retargeted,
)


class ClockState(enum.StrEnum):
    RUNNING = "running"
    PAUSED = "paused"  # waiting on the customer: the clock does not accrue (RSP-6)
    MET = "met"
    BREACHED = "breached"
    NOT_APPLICABLE = "not_applicable"  # no target at this severity (RSP-3)


@dataclass(frozen=True, slots=True)
class SlaWarning:
    """A warning at ``fraction`` of the target (RSP-6): the instant active business time
    reaches that fraction, never earlier than a re-targeting change. ``at`` is ``None``
    while paused before it is reached; ``reached`` is true once ``at`` passed before the
    clock was met."""

    fraction: float
    at: dt.datetime | None
    reached: bool


@dataclass(frozen=True, slots=True)
class SlaClock:
    """One target kind of one case, as of ``as_of``. All instants are UTC.

    The figures are those of the target in force at the evaluation point (``met_at``
    when met, else ``as_of``): ``severity``, ``target``, ``clock``, ``due_at`` and
    ``warnings``; ``target`` is ``None`` when that severity has no such target.
    ``elapsed`` is active business time from ``started_at`` to the evaluation point;
    ``remaining`` is business time from the evaluation point to ``due_at``, negative
    once past due (then counting active time only); while paused with the due not yet
    known it is the target's unused business time. ``paused`` is the wall-clock time
    spent waiting on the customer between ``started_at`` and the evaluation point.
    ``breached_at`` is the first breach of this kind, kept even after a downgrade or
    a late answer, and for ``next_update`` across all cycles.
    """

    kind: TargetKind
    as_of: dt.datetime
    state: ClockState
    severity: int
    target: dt.timedelta | None
    clock: str | None
    started_at: dt.datetime | None
    due_at: dt.datetime | None
    met_at: dt.datetime | None
    elapsed: dt.timedelta | None
    remaining: dt.timedelta | None
    paused: dt.timedelta
    warnings: tuple[SlaWarning, ...]
    breached_at: dt.datetime | None

    @property
    def breached(self) -> bool:
        return self.breached_at is not None


def sla_clocks(
    *,
    policy: Policy,
    calendars: Mapping[str, BusinessCalendar],
    events: Iterable[CaseEvent],
    now: dt.datetime,
) -> tuple[SlaClock, ...]:
    """The case's clocks as of ``now``: one per target kind the policy uses anywhere,
    in :class:`TargetKind` order, so every case of a policy shows the same clocks.

    ``policy`` must be the version the case was opened under (policies are pinned);
    ``calendars`` is ``build_calendars(policy.calendars)``. ``events`` may come in any
    order: they are sorted by ``at``, ties keeping the given order, and events after
    ``now`` are ignored, so a clock evaluated at an earlier ``now`` is the clock as it
    stood then. Pure: never reads the wall clock. Raises :class:`SlaHistoryError` for
    a history without exactly one :class:`Received` first, or with naive instants.
    """
    check_aware(now, "now")
    history = History.replay(events, now)
    kinds = [k for k in TargetKind if any(t.kind is k for t in policy.sla.targets)]
    return tuple(_clock(policy, calendars, history, kind) for kind in kinds)


def next_deadline(*, clocks: Iterable[SlaClock]) -> dt.datetime | None:
    """The earliest instant at which a clock will warn or breach, for the sweep to index.

    Only running clocks have one: a warning strictly after the clock's ``as_of``, or its
    due at or after it (breach is *after* the due, so a due equal to ``as_of`` is still
    pending). ``None`` when nothing is pending; any state change (a response, a pause, a
    severity change) must recompute it.
    """
    pending: list[dt.datetime] = []
    for clock in clocks:
        if clock.state is not ClockState.RUNNING:
            continue
        pending.extend(w.at for w in clock.warnings if w.at is not None and w.at > clock.as_of)
        if clock.due_at is not None and clock.due_at >= clock.as_of:
            pending.append(clock.due_at)
    return min(pending, default=None)


def nearest_due(*, clocks: Iterable[SlaClock]) -> dt.datetime | None:
    """The earliest due of the running or breached-and-unmet clocks: the queue's "nearest
    SLA due" (PRI-2); ``None`` when no clock is pending."""
    dues = [
        c.due_at
        for c in clocks
        if c.due_at is not None
        and c.met_at is None
        and c.state in (ClockState.RUNNING, ClockState.BREACHED)
    ]
    return min(dues, default=None)


@dataclass(frozen=True, slots=True)
class Cycle:
    """One run of a clock: from ``anchor`` to ``met_at`` (``None``: not met as of now),
    not counting the ``excluded`` spans."""

    anchor: dt.datetime
    met_at: dt.datetime | None
    excluded: tuple[Span, ...]  # merged, sorted


def _clock(
    policy: Policy,
    calendars: Mapping[str, BusinessCalendar],
    history: History,
    kind: TargetKind,
) -> SlaClock:
    found = cycles(history, kind)
    if not found:  # next_update before any response: nothing runs yet
        return SlaClock(
            kind, history.now, ClockState.NOT_APPLICABLE, history.severities[-1][1], None, None,
            None, None, None, None, None, ZERO, (), None,
        )  # fmt: skip
    results = [_evaluate(policy, calendars, history, kind, c) for c in found]
    first_breach = min((r.breached_at for r in results if r.breached_at), default=None)
    last = results[-1]
    return SlaClock(
        kind=last.kind,
        as_of=last.as_of,
        state=last.state,
        severity=last.severity,
        target=last.target,
        clock=last.clock,
        started_at=last.started_at,
        due_at=last.due_at,
        met_at=last.met_at,
        elapsed=last.elapsed,
        remaining=last.remaining,
        paused=last.paused,
        warnings=last.warnings,
        breached_at=first_breach,
    )


def severity_segments(
    history: History, anchor: dt.datetime
) -> list[tuple[dt.datetime, dt.datetime | None, int]]:
    """The severities in force from ``anchor`` on, as [start, end) spans with their
    level, the first starting at the anchor (``end`` ``None``: still in force)."""
    segments: list[tuple[dt.datetime, dt.datetime | None, int]] = []
    sev = history.severities
    for i, (start, level) in enumerate(sev):
        end = sev[i + 1][0] if i + 1 < len(sev) else None
        if end is None or end > anchor:
            segments.append((max(start, anchor), end, level))
    return segments


def cycles(history: History, kind: TargetKind) -> list[Cycle]:
    """The runs of the ``kind`` clock in ``history`` (the what-if batch replays them too)."""
    pauses = history.pauses
    stops = list(history.stops)
    if kind is TargetKind.FIRST_RESPONSE:
        ends = [*history.responses, *(start for start, _ in stops)]
        return [Cycle(history.received_at, min(ends, default=None), merge(pauses))]
    if kind is TargetKind.RESOLUTION:
        done = stops[-1][0] if stops and stops[-1][1] is None else None
        return [Cycle(history.received_at, done, merge([*pauses, *stops]))]
    # NEXT_UPDATE: a cycle from each response or reopening (after a first response) to
    # the next response or resolution.
    marks: list[tuple[dt.datetime, int]] = [(t, 0) for t in history.responses]
    marks += [(start, 1) for start, _ in stops]
    marks += [(t, 2) for t in history.reopens]
    out: list[Cycle] = []
    anchor: dt.datetime | None = None
    responded = False
    excluded = merge(pauses)
    for at, mark in sorted(marks, key=lambda m: m[0]):
        if mark != 2 and anchor is not None:
            out.append(Cycle(anchor, at, excluded))
            anchor = None
        if mark == 0:
            anchor, responded = at, True
        elif mark == 2 and responded:
            anchor = at
    if anchor is not None:
        out.append(Cycle(anchor, None, excluded))
    return out


def _evaluate(
    policy: Policy,
    calendars: Mapping[str, BusinessCalendar],
    history: History,
    kind: TargetKind,
    cycle: Cycle,
) -> SlaClock:
    now, anchor, met, excluded = history.now, cycle.anchor, cycle.met_at, cycle.excluded
    point = met if met is not None else now
    segments = severity_segments(history, anchor)
    walk = _walk_severities(policy, calendars, kind, cycle, segments, now=now)
    start, level, due, breached_at = walk.start, walk.level, walk.due, walk.breached_at
    target = target_of(policy, level, kind)
    paused = sum((overlap(span, anchor, point) for span in merge(history.pauses)), start=ZERO)
    state = _state(breached_at, met, target, excluded)
    if target is None:
        return SlaClock(
            kind, now, state, level, None, None, anchor, None, met, None, None, paused, (),
            breached_at,
        )  # fmt: skip
    cal = _calendar(calendars, target.clock)
    span = dt.timedelta(seconds=target.seconds)
    elapsed = active_elapsed(cal, anchor, point, excluded)
    warnings = []
    for fraction in policy.sla.warnings:
        at = retargeted(cal, anchor, start, span * fraction, excluded)
        warnings.append(SlaWarning(fraction, at, at is not None and at <= point))
    return SlaClock(
        kind=kind,
        as_of=now,
        state=state,
        severity=level,
        target=span,
        clock=target.clock,
        started_at=anchor,
        due_at=due,
        met_at=met,
        elapsed=elapsed,
        remaining=_remaining(cal, span - elapsed, due, point, excluded),
        paused=paused,
        warnings=tuple(warnings),
        breached_at=breached_at,
    )


@dataclass(frozen=True, slots=True)
class _Walk:
    """A cycle's severities walked in order: the segment in force at the evaluation
    point (its ``start``, ``level`` and the ``due`` it sets: ``None`` without a target,
    or while paused before the due is known) and the cycle's first breach."""

    start: dt.datetime
    level: int
    due: dt.datetime | None
    breached_at: dt.datetime | None


def _walk_severities(
    policy: Policy,
    calendars: Mapping[str, BusinessCalendar],
    kind: TargetKind,
    cycle: Cycle,
    segments: list[tuple[dt.datetime, dt.datetime | None, int]],
    *,
    now: dt.datetime,
) -> _Walk:
    """Walk ``cycle``'s severity ``segments`` (:func:`severity_segments`) as of ``now``."""
    anchor, met, excluded = cycle.anchor, cycle.met_at, cycle.excluded
    point = met if met is not None else now
    breached_at: dt.datetime | None = None
    governing: tuple[dt.datetime, int, dt.datetime | None] = (anchor, segments[0][2], None)
    for start, end, level in segments:
        target = target_of(policy, level, kind)
        due = None
        if target is not None:
            cal = _calendar(calendars, target.clock)
            due = retargeted(cal, anchor, start, dt.timedelta(seconds=target.seconds), excluded)
            # A breach: the due passed while its severity was in force, before the answer.
            if (
                due is not None
                and (end is None or due < end)
                and due < now
                and (met is None or met > due)
                and breached_at is None
            ):
                breached_at = due
        if start <= point:
            governing = (start, level, due)
    return _Walk(*governing, breached_at)


def _state(
    breached_at: dt.datetime | None,
    met: dt.datetime | None,
    target: SlaTarget | None,
    excluded: tuple[Span, ...],
) -> ClockState:
    """The clock's state at the evaluation point: a breach stays one after the answer."""
    if breached_at is not None:
        return ClockState.BREACHED
    if met is not None:
        return ClockState.MET
    if target is None:
        return ClockState.NOT_APPLICABLE
    if excluded and excluded[-1][1] is None:
        return ClockState.PAUSED
    return ClockState.RUNNING


def _remaining(
    cal: BusinessCalendar,
    unused: dt.timedelta,
    due: dt.datetime | None,
    point: dt.datetime,
    excluded: tuple[Span, ...],
) -> dt.timedelta:
    """Business time from ``point`` to ``due``, negative once past it (counting active
    time only); with the due not yet known (paused), the target's ``unused`` time."""
    if due is None:
        return max(unused, ZERO)
    if point <= due:
        return cal.elapsed(point, due)
    return -active_elapsed(cal, due, point, excluded)


def target_of(policy: Policy, level: int, kind: TargetKind) -> SlaTarget | None:
    """The ``kind`` target of severity ``level``, if the policy sets one."""
    return next((t for t in policy.sla.targets_for(level) if t.kind is kind), None)


def _calendar(calendars: Mapping[str, BusinessCalendar], name: str) -> BusinessCalendar:
    try:
        return calendars[name]
    except KeyError:
        raise SlaError(f"no calendar named {name!r} was built", field=f"calendars.{name}") from None
