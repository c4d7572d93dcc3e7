"""The fast path of the batched replay: the histories most cases have, replayed with
numpy alone. A history is *simple* when its instants strictly increase up to ``now``
and it holds only the receipt, responses, and resolutions or closures (no pause, no
severity change, no reopening). For such a case the rules of
:mod:`supportdesk.domain.sla` come down to:

* first response: due ``add(received, target)``; met by the first response or the
  resolution, whichever comes first;
* resolution: due ``add(received, target)``, unless the case was resolved before that
  much business time had passed (then, like a clock stopped by the resolution, it has
  no due); met by the resolution;
* next update: a cycle from each response before the resolution, due
  ``add(response, target)``, met by the next response or the resolution;

and a clock breaches when its due is before ``now`` and before it was met. Every other
history goes the general way (:mod:`.general`); the property tests hold both to the
per-case engine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from supportdesk.domain.policy.model import TargetKind
from supportdesk.domain.sla import Closed, FirstResponse, Received, Resolved, Updated
from supportdesk.domain.sla.clocks import target_of
from supportdesk.domain.whatif import ReplayCase, Rules
from supportdesk.domain.whatif_batch.micro import NEVER, US, add_us, elapsed_us

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_ONE_US = dt.timedelta(microseconds=1)
_RESPONSES = (FirstResponse, Updated)
_STOPS = (Resolved, Closed)


@dataclass(frozen=True, slots=True)
class Simple:
    """A simple history in epoch microseconds: the receipt and its severity, the
    responses before the resolution, and the resolution (:data:`NEVER`: none)."""

    received: int
    severity: int
    responses: tuple[int, ...]
    stop: int


def simple(case: ReplayCase, now_us: int) -> Simple | None:
    """The case as a :class:`Simple` history, or ``None`` when it is not one."""
    events = case.events
    if not events or type(events[0]) is not Received:
        return None
    last = -1
    responses: list[int] = []
    stop = NEVER
    for event in events:
        try:
            at = (event.at - _EPOCH) // _ONE_US
        except TypeError:  # naive: the general way refuses it as the engine does
            return None
        if at <= last or at > now_us:
            return None
        last = at
        kind = type(event)
        if kind in _RESPONSES:
            if stop == NEVER:
                responses.append(at)
        elif kind in _STOPS:
            if stop == NEVER:
                stop = at
        elif event is not events[0]:
            return None
    received = events[0]
    assert isinstance(received, Received)
    return Simple((received.at - _EPOCH) // _ONE_US, received.severity, tuple(responses), stop)


def measure(
    rules: Rules, cases: Sequence[Simple], now_us: int
) -> tuple[npt.NDArray[np.bool_], list[int | None]]:
    """Per case: breached under ``rules`` as of ``now_us``, and the business seconds
    to the first response (``None``: not answered, or no such target)."""
    n = len(cases)
    breached = np.zeros(n, dtype=bool)
    answered: list[int | None] = [None] * n
    if not n:
        return breached, answered
    received = np.fromiter((c.received for c in cases), dtype=np.int64, count=n)
    severity = np.fromiter((c.severity for c in cases), dtype=np.int64, count=n)
    stop = np.fromiter((c.stop for c in cases), dtype=np.int64, count=n)
    first = np.fromiter(
        (min(c.responses[0], c.stop) if c.responses else c.stop for c in cases),
        dtype=np.int64,
        count=n,
    )
    owner = np.fromiter((i for i, c in enumerate(cases) for _ in c.responses), dtype=np.int64)
    response_at = np.fromiter((t for c in cases for t in c.responses), dtype=np.int64)
    # A response's cycle ends at the next response, else at the resolution.
    met_next = np.fromiter(
        (t for c in cases if c.responses for t in (*c.responses[1:], c.stop)), dtype=np.int64
    )
    kinds = {t.kind for t in rules.policy.sla.targets}
    for level in np.unique(severity).tolist():
        members = np.flatnonzero(severity == level)
        for kind in kinds:
            target = target_of(rules.policy, level, kind)
            if target is None:
                continue
            calendar = rules.calendars[target.clock]
            amount = target.seconds * US
            if kind is TargetKind.NEXT_UPDATE:
                mine = np.flatnonzero(severity[owner] == level)
                starts = response_at[mine]
                due = add_us(calendar, starts, np.full(len(starts), amount, dtype=np.int64))
                breached[owner[mine][(due < now_us) & (met_next[mine] > due)]] = True
                continue
            starts = received[members]
            due = add_us(calendar, starts, np.full(len(starts), amount, dtype=np.int64))
            if kind is TargetKind.FIRST_RESPONSE:
                met = first[members]
                breached[members[(due < now_us) & (met > due)]] = True
                done = met != NEVER
                seconds = elapsed_us(calendar, starts[done], met[done]) // US
                for i, value in zip(members[done].tolist(), seconds.tolist(), strict=True):
                    answered[i] = value
            else:  # resolution: the resolution stops the clock; no due if it came first
                met = stop[members]
                stopped = met != NEVER
                counted = elapsed_us(calendar, starts, np.where(stopped, met, starts))
                has_due = ~stopped | (counted >= amount)
                breached[members[has_due & (due < now_us) & (met > due)]] = True
    return breached, answered
