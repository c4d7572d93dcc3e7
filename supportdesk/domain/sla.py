"""SLA clocks derived from a case's event history (RSP-1, RSP-2, RSP-6, SEV-4).

Nothing is counted incrementally: every figure is recomputed from the events and the
pinned policy, so replaying the same history at the same ``now`` always gives the same
clocks, and a sweep that runs twice cannot double-count.

The rules, for one target kind of one case (``docs/sla.md``, "SLA clocks"):

* **Anchor.** ``first_response`` and ``resolution`` count from receipt; ``next_update``
  counts from the latest agent response (:class:`FirstResponse` or :class:`Updated`)
  or reopening, one cycle per response.
* **Active time.** The clock accrues the business time of its calendar (the target's
  ``clock``) in *active* wall-clock spans only: from the anchor, minus the spans spent
  waiting on the customer (:class:`Paused` to :class:`Resumed`), and, for
  ``resolution``, minus the spans between a resolution and its reopening.
* **Due** (RSP-6): the earliest instant at which the active business time reaches the
  target. Hence a pause moves the due later by exactly the business time it covered,
  and a pause outside business hours moves nothing.
* **Re-targeting** (SEV-4): after a severity change at ``t`` the new severity's target
  applies *as if it had held since the anchor*, but its due is never earlier than the
  first active instant at or after ``t``: ``due = max(first_active(t), anchor ⊕ new)``.
  A downgrade never breaches at once; an upgrade to Sev1 received 20 hours ago is due
  at the change instant (answer as you upgrade). A breach that happened under an
  earlier severity stays recorded (no downgrading a breach away), and a target met
  before the change stays met.
* **Met**: ``first_response`` by the first :class:`FirstResponse`, or by a
  :class:`Resolved`/:class:`Closed` that comes first (the customer was answered with
  the resolution); ``resolution`` by a :class:`Resolved`/:class:`Closed` not followed
  by :class:`Reopened`; a ``next_update`` cycle by the next response or resolution.
* **Breached** when the due passes (strictly) before the target is met, while the
  severity that set that due is still in force. ``breached_at`` is that due.
* A severity without a target of this kind (Sev4, RSP-3) leaves the clock
  ``not_applicable``, unless it was already met or breached.
"""

from __future__ import annotations

import bisect
import datetime as dt
import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from supportdesk.domain.calendars import BusinessCalendar
from supportdesk.domain.errors import DomainError
from supportdesk.domain.policy.model import Policy, SlaTarget, TargetKind

_ZERO = dt.timedelta(0)


class SlaError(DomainError):
    """The clocks cannot be computed: a broken history or a calendar missing."""


class SlaHistoryError(SlaError):
    """The event history is unusable (no receipt, a second receipt, a naive instant)."""


class ClockState(enum.StrEnum):
    RUNNING = "running"
    PAUSED = "paused"  # waiting on the customer: the clock does not accrue (RSP-6)
    MET = "met"
    BREACHED = "breached"
    NOT_APPLICABLE = "not_applicable"  # no target at this severity (RSP-3)


# The events a case's history is made of. ``at`` is an aware instant.


@dataclass(frozen=True, slots=True)
class Received:
    at: dt.datetime
    severity: int


@dataclass(frozen=True, slots=True)
class SeverityChanged:
    """``to_severity`` is authoritative; ``from_severity`` is kept for the audit trail."""

    at: dt.datetime
    from_severity: int
    to_severity: int


@dataclass(frozen=True, slots=True)
class Paused:
    """The case starts waiting on the customer."""

    at: dt.datetime


@dataclass(frozen=True, slots=True)
class Resumed:
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class FirstResponse:
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class Updated:
    """A later public agent response; restarts the ``next_update`` cycle."""

    at: dt.datetime


@dataclass(frozen=True, slots=True)
class Resolved:
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class Reopened:
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class Closed:
    at: dt.datetime


CaseEvent = (
    Received | SeverityChanged | Paused | Resumed | FirstResponse | Updated | Resolved | Reopened
) | Closed


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
    _check_aware(now, "now")
    history = _History.replay(events, now)
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


def time_to_downgrade(
    *, events: Iterable[CaseEvent], from_severity: int = 1
) -> dt.timedelta | None:
    """SEV-4: how long the case took to leave ``from_severity`` for a less severe level.

    Measured from the first instant the case had ``from_severity`` (its receipt, for a
    case received as Sev1; else the upgrade) to the first later change to a *less*
    severe level (a higher number). ``None`` when the case never had that severity or
    has not been downgraded from it.
    """
    ordered = _sorted(events)
    start: dt.datetime | None = None
    for event in ordered:
        if isinstance(event, Received) and event.severity == from_severity:
            start = event.at
        elif isinstance(event, SeverityChanged):
            if start is None and event.to_severity == from_severity:
                start = event.at
            elif start is not None and event.to_severity > from_severity:
                return event.at - start
    return None


# Replaying the history.

_Span = tuple[dt.datetime, dt.datetime | None]  # [start, end); end None: still open


@dataclass(frozen=True, slots=True)
class _History:
    received_at: dt.datetime
    now: dt.datetime
    #: (start, severity), the first starting at receipt.
    severities: tuple[tuple[dt.datetime, int], ...]
    pauses: tuple[_Span, ...]
    #: Resolved/Closed to Reopened (end None: still resolved or closed).
    stops: tuple[_Span, ...]
    responses: tuple[dt.datetime, ...]
    reopens: tuple[dt.datetime, ...]

    @staticmethod
    def replay(events: Iterable[CaseEvent], now: dt.datetime) -> _History:
        ordered = [e for e in _sorted(events) if e.at <= now]
        if not ordered or not isinstance(ordered[0], Received):
            raise SlaHistoryError("the history must start with the case's receipt", field="events")
        received = ordered[0]
        severities = [(received.at, received.severity)]
        pauses: list[_Span] = []
        stops: list[_Span] = []
        responses: list[dt.datetime] = []
        reopens: list[dt.datetime] = []
        paused_since: dt.datetime | None = None
        stopped_since: dt.datetime | None = None
        for event in ordered[1:]:
            at = event.at
            if isinstance(event, Received):
                raise SlaHistoryError("a case is received only once", field="events")
            if isinstance(event, SeverityChanged):
                severities.append((at, event.to_severity))
            elif isinstance(event, Paused) and paused_since is None and stopped_since is None:
                paused_since = at
            elif isinstance(event, Resumed) and paused_since is not None:
                pauses.append((paused_since, at))
                paused_since = None
            elif isinstance(event, FirstResponse | Updated) and stopped_since is None:
                responses.append(at)
            elif isinstance(event, Resolved | Closed) and stopped_since is None:
                if paused_since is not None:  # a resolved case no longer waits on anyone
                    pauses.append((paused_since, at))
                    paused_since = None
                stopped_since = at
            elif isinstance(event, Reopened) and stopped_since is not None:
                stops.append((stopped_since, at))
                reopens.append(at)
                stopped_since = None
            # Anything else (a Resumed while running, a second Resolved) changes nothing.
        if paused_since is not None:
            pauses.append((paused_since, None))
        if stopped_since is not None:
            stops.append((stopped_since, None))
        return _History(
            received.at, now, tuple(severities), tuple(pauses), tuple(stops), tuple(responses),
            tuple(reopens),
        )  # fmt: skip


def _sorted(events: Iterable[CaseEvent]) -> list[CaseEvent]:
    listed = list(events)
    for i, event in enumerate(listed):
        _check_aware(event.at, f"events[{i}].at")
    return sorted(listed, key=lambda e: e.at)  # stable: ties keep the given order


def _check_aware(t: dt.datetime, field: str) -> None:
    if t.tzinfo is None or t.utcoffset() is None:
        raise SlaHistoryError(f"{t.isoformat()} has no time zone", field=field)


# One clock.


@dataclass(frozen=True, slots=True)
class _Cycle:
    anchor: dt.datetime
    met_at: dt.datetime | None
    excluded: tuple[_Span, ...]  # merged, sorted


def _clock(
    policy: Policy,
    calendars: Mapping[str, BusinessCalendar],
    history: _History,
    kind: TargetKind,
) -> SlaClock:
    cycles = _cycles(history, kind)
    if not cycles:  # next_update before any response: nothing runs yet
        return SlaClock(
            kind, history.now, ClockState.NOT_APPLICABLE, history.severities[-1][1], None, None,
            None, None, None, None, None, _ZERO, (), None,
        )  # fmt: skip
    results = [_evaluate(policy, calendars, history, kind, c) for c in cycles]
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


def _cycles(history: _History, kind: TargetKind) -> list[_Cycle]:
    pauses = history.pauses
    stops = list(history.stops)
    if kind is TargetKind.FIRST_RESPONSE:
        ends = [*history.responses, *(start for start, _ in stops)]
        return [_Cycle(history.received_at, min(ends, default=None), _merge(pauses))]
    if kind is TargetKind.RESOLUTION:
        done = stops[-1][0] if stops and stops[-1][1] is None else None
        return [_Cycle(history.received_at, done, _merge([*pauses, *stops]))]
    # NEXT_UPDATE: a cycle from each response or reopening (after a first response) to
    # the next response or resolution.
    marks: list[tuple[dt.datetime, int]] = [(t, 0) for t in history.responses]
    marks += [(start, 1) for start, _ in stops]
    marks += [(t, 2) for t in history.reopens]
    cycles: list[_Cycle] = []
    anchor: dt.datetime | None = None
    responded = False
    excluded = _merge(pauses)
    for at, mark in sorted(marks, key=lambda m: m[0]):
        if mark != 2 and anchor is not None:
            cycles.append(_Cycle(anchor, at, excluded))
            anchor = None
        if mark == 0:
            anchor, responded = at, True
        elif mark == 2 and responded:
            anchor = at
    if anchor is not None:
        cycles.append(_Cycle(anchor, None, excluded))
    return cycles


def _evaluate(
    policy: Policy,
    calendars: Mapping[str, BusinessCalendar],
    history: _History,
    kind: TargetKind,
    cycle: _Cycle,
) -> SlaClock:
    now, anchor, met, excluded = history.now, cycle.anchor, cycle.met_at, cycle.excluded
    point = met if met is not None else now
    # Severity segments [start, end) overlapping the cycle, the first starting at the anchor.
    segments: list[tuple[dt.datetime, dt.datetime | None, int]] = []
    sev = history.severities
    for i, (start, level) in enumerate(sev):
        end = sev[i + 1][0] if i + 1 < len(sev) else None
        if end is None or end > anchor:
            segments.append((max(start, anchor), end, level))
    breached_at: dt.datetime | None = None
    governing: tuple[dt.datetime, int, dt.datetime | None] = (anchor, segments[0][2], None)
    for start, end, level in segments:
        target = _target(policy, level, kind)
        due = None
        if target is not None:
            cal = _calendar(calendars, target.clock)
            due = _retargeted(cal, anchor, start, dt.timedelta(seconds=target.seconds), excluded)
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
    start, level, due = governing
    target = _target(policy, level, kind)
    paused = sum((_overlap(span, anchor, point) for span in _merge(history.pauses)), start=_ZERO)
    if breached_at is not None:
        state = ClockState.BREACHED
    elif met is not None:
        state = ClockState.MET
    elif target is None:
        state = ClockState.NOT_APPLICABLE
    elif excluded and excluded[-1][1] is None:
        state = ClockState.PAUSED
    else:
        state = ClockState.RUNNING
    if target is None:
        return SlaClock(
            kind, now, state, level, None, None, anchor, None, met, None, None, paused, (),
            breached_at,
        )  # fmt: skip
    cal = _calendar(calendars, target.clock)
    span = dt.timedelta(seconds=target.seconds)
    elapsed = _active_elapsed(cal, anchor, point, excluded)
    if due is None:
        remaining = max(span - elapsed, _ZERO)
    elif point <= due:
        remaining = cal.elapsed(point, due)
    else:
        remaining = -_active_elapsed(cal, due, point, excluded)
    warnings = []
    for fraction in policy.sla.warnings:
        at = _retargeted(cal, anchor, start, span * fraction, excluded)
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
        remaining=remaining,
        paused=paused,
        warnings=tuple(warnings),
        breached_at=breached_at,
    )


def _target(policy: Policy, level: int, kind: TargetKind) -> SlaTarget | None:
    return next((t for t in policy.sla.targets_for(level) if t.kind is kind), None)


def _calendar(calendars: Mapping[str, BusinessCalendar], name: str) -> BusinessCalendar:
    try:
        return calendars[name]
    except KeyError:
        raise SlaError(f"no calendar named {name!r} was built", field=f"calendars.{name}") from None


# Business time over active spans.


def _merge(spans: Sequence[_Span]) -> tuple[_Span, ...]:
    """Sorted, non-overlapping spans; an open span swallows everything after it."""
    out: list[_Span] = []
    for start, end in sorted(spans, key=lambda s: s[0]):
        if out and (out[-1][1] is None or start <= out[-1][1]):
            prev_start, prev_end = out[-1]
            merged_end = None if prev_end is None or end is None else max(prev_end, end)
            out[-1] = (prev_start, merged_end)
        elif end is None or end > start:
            out.append((start, end))
    return tuple(out)


def _active_pieces(
    start: dt.datetime, excluded: tuple[_Span, ...]
) -> Iterable[tuple[dt.datetime, dt.datetime | None]]:
    """The active spans from ``start`` on: [start, ∞) minus ``excluded``."""
    cursor: dt.datetime | None = start
    for ex_start, ex_end in excluded:
        if cursor is None:
            return
        if ex_end is not None and ex_end <= cursor:
            continue
        if ex_start > cursor:
            yield cursor, ex_start
        cursor = None if ex_end is None else max(cursor, ex_end)
    if cursor is not None:
        yield cursor, None


def _active_until(
    cal: BusinessCalendar, start: dt.datetime, amount: dt.timedelta, excluded: tuple[_Span, ...]
) -> dt.datetime | None:
    """The earliest instant with ``amount`` of active business time since ``start``;
    ``None`` when an open pause comes first."""
    left = amount
    for lo, hi in _active_pieces(start, excluded):
        if hi is None:
            return cal.add(lo, left)
        piece = cal.elapsed(lo, hi)
        if piece >= left:
            return cal.add(lo, left)
        left -= piece
    return None


def _active_elapsed(
    cal: BusinessCalendar, start: dt.datetime, end: dt.datetime, excluded: tuple[_Span, ...]
) -> dt.timedelta:
    total = _ZERO
    for lo, hi in _active_pieces(start, excluded):
        if lo >= end:
            break
        total += cal.elapsed(lo, end if hi is None else min(hi, end))
    return total


def _first_active(t: dt.datetime, excluded: tuple[_Span, ...]) -> dt.datetime | None:
    """``t``, or the end of the excluded span containing it (``None``: still open)."""
    i = bisect.bisect_right([s for s, _ in excluded], t) - 1
    if i >= 0:
        ex_end = excluded[i][1]
        if ex_end is None or t < ex_end:
            return ex_end
    return t


def _retargeted(
    cal: BusinessCalendar,
    anchor: dt.datetime,
    change: dt.datetime,
    amount: dt.timedelta,
    excluded: tuple[_Span, ...],
) -> dt.datetime | None:
    # SEV-4: a target set at ``change`` counts from the anchor but is never due before
    # the clock next runs after the change.
    reached = _active_until(cal, anchor, amount, excluded)
    floor = _first_active(change, excluded)
    if reached is None or floor is None:
        return None
    return max(reached, floor).astimezone(dt.UTC)


def _overlap(span: _Span, lo: dt.datetime, hi: dt.datetime) -> dt.timedelta:
    start = max(span[0], lo)
    end = hi if span[1] is None else min(span[1], hi)
    return max(end - start, _ZERO)
