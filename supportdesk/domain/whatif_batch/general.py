"""The general path of the batched replay: any history (pauses, severity changes,
resolutions and reopenings), replayed once per case with the SLA engine's own
:class:`History`, cycles and segments; then, per policy, every (case, target kind,
cycle, severity segment) with a target is one *due query*: the instant the active
business time since the cycle's anchor reaches the target, never before the first
active instant after the segment starts (SEV-4, as ``spans.retargeted``). The active
pieces of all queries lie end to end in arrays; per calendar, one elapsed over every
bounded piece, a running sum per query, the first piece that reaches the target, and
one add. A case is breached when one of its dues passed, while its severity was in
force, before the target was met (the rules of :mod:`supportdesk.domain.sla`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from supportdesk.domain.calendars import BusinessCalendar
from supportdesk.domain.policy.model import TargetKind
from supportdesk.domain.sla.clocks import cycles, severity_segments, target_of
from supportdesk.domain.sla.history import History
from supportdesk.domain.sla.spans import active_pieces, first_active
from supportdesk.domain.whatif import ReplayCase, Rules
from supportdesk.domain.whatif_batch.micro import NEVER, US, Int64Array, add_us, elapsed_us, micros


@dataclass(frozen=True, slots=True)
class _Run:
    """One cycle of one clock of one case, policy-free: its active pieces (``hi``
    :data:`NEVER` when unbounded), when it was met, and the severity segments
    ``(start, end, level, floor)`` it overlaps, ``floor`` the first active instant at
    or after the start."""

    kind: TargetKind
    pieces: tuple[tuple[int, int], ...]
    met: int
    segments: tuple[tuple[int, int, int, int], ...]


@dataclass(slots=True)
class Replayed:
    """A case's clock runs, whatever the policy."""

    runs: list[_Run] = field(default_factory=list)


def replay(case: ReplayCase, now: dt.datetime, kinds: Iterable[TargetKind]) -> Replayed:
    """The case's history replayed as of ``now`` (SlaHistoryError as the engine's), the
    runs of the clocks of ``kinds`` only (those some policy of the replay has)."""
    out = Replayed()
    history = History.replay(case.events, now)
    for kind in kinds:
        for cycle in cycles(history, kind):
            excluded = cycle.excluded
            pieces = tuple(
                (micros(lo), micros(hi)) for lo, hi in active_pieces(cycle.anchor, excluded)
            )
            segments = tuple(
                (
                    micros(start),
                    micros(end),
                    level,
                    # Nothing excluded: the segment's start is active (the common case).
                    micros(first_active(start, excluded) if excluded else start),
                )
                for start, end, level in severity_segments(history, cycle.anchor)
            )
            out.runs.append(_Run(kind, pieces, micros(cycle.met_at), segments))
    return out


@dataclass
class _Queries:
    """Due queries (or, for the response time, elapsed queries) of one policy."""

    case: list[int] = field(default_factory=list)
    calendar: list[int] = field(default_factory=list)
    amount: list[int] = field(default_factory=list)
    floor: list[int] = field(default_factory=list)
    end: list[int] = field(default_factory=list)
    met: list[int] = field(default_factory=list)
    first_piece: list[int] = field(default_factory=list)
    piece_count: list[int] = field(default_factory=list)


def measure(
    rules: Rules, replayed: Sequence[Replayed], now_us: int
) -> tuple[npt.NDArray[np.bool_], list[int | None]]:
    """Per case: breached under ``rules`` as of ``now_us``, and the business seconds
    to the first response (``None``: not answered, or no such target)."""
    names = sorted(rules.calendars)
    index = {name: i for i, name in enumerate(names)}
    kinds = {t.kind for t in rules.policy.sla.targets}
    lows: list[int] = []
    highs: list[int] = []
    dues, responses = _Queries(), _Queries()
    for i, case in enumerate(replayed):
        for run in case.runs:
            if run.kind not in kinds:
                continue
            first = len(lows)
            for lo, hi in run.pieces:
                lows.append(lo)
                highs.append(hi)
            _add_queries(rules, index, i, run, first, dues, responses)
    pieces = (np.asarray(lows, dtype=np.int64), np.asarray(highs, dtype=np.int64))
    calendars = [rules.calendars[name] for name in names]
    breached = np.zeros(len(replayed), dtype=bool)
    if dues.case:
        due = _dues(calendars, dues, pieces)
        end, met = np.asarray(dues.end), np.asarray(dues.met)
        hit = (due != NEVER) & (due < end) & (due < now_us) & (met > due)
        breached[np.asarray(dues.case)[hit]] = True
    answered: list[int | None] = [None] * len(replayed)
    if responses.case:
        elapsed = _elapsed(calendars, responses, pieces)
        for i, value in zip(responses.case, elapsed.tolist(), strict=True):
            answered[i] = value // US
    return breached, answered


def _add_queries(
    rules: Rules,
    index: Mapping[str, int],
    case: int,
    run: _Run,
    first: int,
    dues: _Queries,
    responses: _Queries,
) -> None:
    """The run's due queries and, for a met first response, its elapsed query (under
    the target of the severity in force when it was met)."""
    governing = run.segments[0][2]
    for start, end, level, floor in run.segments:
        if start <= run.met:  # the severity in force when met (or now)
            governing = level
        target = target_of(rules.policy, level, run.kind)
        if target is None or floor == NEVER:
            continue
        _append(dues, case, index[target.clock], target.seconds * US, floor, end, run, first)
    if run.kind is TargetKind.FIRST_RESPONSE and run.met != NEVER:
        target = target_of(rules.policy, governing, run.kind)
        if target is not None:
            _append(responses, case, index[target.clock], 0, NEVER, NEVER, run, first)


def _append(
    q: _Queries, case: int, cal: int, amount: int, floor: int, end: int, run: _Run, first: int
) -> None:
    q.case.append(case)
    q.calendar.append(cal)
    q.amount.append(amount)
    q.floor.append(floor)
    q.end.append(end)
    q.met.append(run.met)
    q.first_piece.append(first)
    q.piece_count.append(len(run.pieces))


def _flatten(q: _Queries, pieces: tuple[Int64Array, Int64Array]) -> tuple[Int64Array, ...]:
    """Each query's pieces end to end: (query index, lo, hi) per piece."""
    counts = np.asarray(q.piece_count, dtype=np.int64)
    owner = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    at = np.asarray(q.first_piece, dtype=np.int64)[owner] + (np.arange(len(owner)) - starts[owner])
    return owner, pieces[0][at], pieces[1][at]


def _dues(
    calendars: Sequence[BusinessCalendar], q: _Queries, pieces: tuple[Int64Array, Int64Array]
) -> Int64Array:
    """Each due query's due (:data:`NEVER`: none), as :func:`spans.retargeted`."""
    owner, lo, hi = _flatten(q, pieces)
    cal = np.asarray(q.calendar, dtype=np.int64)[owner]
    amount = np.asarray(q.amount, dtype=np.int64)
    bounded = hi != NEVER
    length = np.zeros(len(owner), dtype=np.int64)
    for c, calendar in enumerate(calendars):
        mask = bounded & (cal == c)
        if mask.any():
            length[mask] = elapsed_us(calendar, lo[mask], hi[mask])
    # Business time of the query's pieces before each piece: an exclusive running sum,
    # less its value at the query's first piece.
    exclusive = np.cumsum(length) - length
    counts = np.asarray(q.piece_count, dtype=np.int64)
    group_start = np.cumsum(counts) - counts
    before = exclusive - exclusive[group_start[owner]]
    # The first piece that reaches the target: an unbounded one always does.
    reaches = ~bounded | (before + length >= amount[owner])
    hits = np.flatnonzero(reaches)
    queries, first = np.unique(owner[hits], return_index=True)
    hits = hits[first]
    reached = np.full(len(amount), NEVER, dtype=np.int64)
    left = amount[queries] - before[hits]
    for c, calendar in enumerate(calendars):
        mask = cal[hits] == c
        if mask.any():
            reached[queries[mask]] = add_us(calendar, lo[hits][mask], left[mask])
    floor = np.asarray(q.floor, dtype=np.int64)
    result: Int64Array = np.where(reached == NEVER, NEVER, np.maximum(reached, floor))
    return result


def _elapsed(
    calendars: Sequence[BusinessCalendar], q: _Queries, pieces: tuple[Int64Array, Int64Array]
) -> Int64Array:
    """Each elapsed query's active business time from its anchor to its ``met``, as
    :func:`spans.active_elapsed`, in microseconds."""
    owner, lo, hi = _flatten(q, pieces)
    cal = np.asarray(q.calendar, dtype=np.int64)[owner]
    until = np.minimum(hi, np.asarray(q.met, dtype=np.int64)[owner])
    length = np.zeros(len(owner), dtype=np.int64)
    for c, calendar in enumerate(calendars):
        mask = cal == c
        if mask.any():
            length[mask] = elapsed_us(calendar, lo[mask], until[mask])
    result: Int64Array = np.zeros(len(q.case), dtype=np.int64)
    np.add.at(result, owner, length)
    return result
