"""The batched what-if replay gives exactly the per-case replay's outcomes (issue 22,
speed): on random histories (pauses, severity changes, resolutions and reopenings, at
instants with microseconds), on the hand-made history of ``test_whatif``, and for the
microsecond forms of the calendar's add and elapsed against the scalar engine."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supportdesk.domain.sla import (
    CaseEvent,
    Closed,
    FirstResponse,
    Received,
    Resolved,
    Updated,
)
from supportdesk.domain.whatif import ReplayCase, Rules, replay_cases
from supportdesk.domain.whatif_batch import add_us, elapsed_us, micros, replay_batch
from tests.domain.test_sla import CALENDARS, EXTENDED, histories
from tests.domain.test_whatif import HISTORY, NO_SATURDAY, NOW, PINNED

EXTENDED_RULES = Rules(EXTENDED, CALENDARS)
SUPPORT = CALENDARS["support"]


def _with_micros(events: list[CaseEvent], shift: int) -> tuple[CaseEvent, ...]:
    """The same history moved by ``shift`` microseconds (instants off whole seconds)."""
    delta = dt.timedelta(microseconds=shift)
    return tuple(dataclasses.replace(e, at=e.at + delta) for e in events)


_SIMPLE_KINDS = {"response": FirstResponse, "update": Updated, "resolve": Resolved, "close": Closed}


@st.composite
def simple_histories(draw: st.DrawFn) -> tuple[list[CaseEvent], dt.datetime]:
    """Receipt, responses, resolutions: the histories the fast path takes (and, with
    repeated instants, some it must leave to the general one)."""
    received = dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(
        minutes=draw(st.integers(0, 500 * 24 * 60))
    )
    events: list[CaseEvent] = [Received(received, draw(st.integers(1, 4)))]
    at = received
    for kind in draw(st.lists(st.sampled_from(sorted(_SIMPLE_KINDS)), max_size=6)):
        at += dt.timedelta(minutes=draw(st.integers(0, 3 * 24 * 60)))
        events.append(_SIMPLE_KINDS[kind](at))
    return events, at + dt.timedelta(minutes=draw(st.integers(0, 5 * 24 * 60)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cases=st.lists(
        st.tuples(st.one_of(histories(), simple_histories()), st.integers(0, 999_999)),
        min_size=1,
        max_size=8,
    ),
    pinned_is_extended=st.booleans(),
)
def test_batched_equals_per_case_on_random_histories(
    cases: list[tuple[tuple[list[CaseEvent], dt.datetime], int]], pinned_is_extended: bool
) -> None:
    now = max(h[1] for h, _ in cases) + dt.timedelta(microseconds=1_000_123)
    replays = [
        ReplayCase(f"case-{i}", "a" if i % 2 else "b", _with_micros(events, shift))
        for i, ((events, _), shift) in enumerate(cases)
    ]
    pinned = {"a": PINNED, "b": EXTENDED_RULES if pinned_is_extended else NO_SATURDAY}
    for new in (NO_SATURDAY, EXTENDED_RULES):
        expected = replay_cases(replays, pinned=pinned, new=new, now=now)
        assert replay_batch(replays, pinned=pinned, new=new, now=now) == expected
        assert replay_batch(replays, pinned=pinned, new=new, now=now, chunk=3) == expected


def test_batched_equals_per_case_on_the_saturday_history() -> None:
    pinned = {"2026.5": PINNED}
    expected = replay_cases(HISTORY, pinned=pinned, new=NO_SATURDAY, now=NOW)
    assert replay_batch(HISTORY, pinned=pinned, new=NO_SATURDAY, now=NOW) == expected


@settings(max_examples=200, deadline=None)
@given(
    start=st.integers(
        micros(dt.datetime(2026, 1, 1, tzinfo=dt.UTC)),
        micros(dt.datetime(2027, 12, 1, tzinfo=dt.UTC)),
    ),
    amount=st.integers(0, 200 * 3600 * 1_000_000),
)
def test_microsecond_add_and_elapsed_match_the_scalar_engine(start: int, amount: int) -> None:
    at = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=start)
    due = SUPPORT.add(at, dt.timedelta(microseconds=amount))
    (batched,) = add_us(SUPPORT, np.array([start]), np.array([amount]))
    assert batched == micros(due)
    end = start + amount
    later = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=end)
    (elapsed,) = elapsed_us(SUPPORT, np.array([start, end]), np.array([end, start]))[:1]
    assert elapsed == SUPPORT.elapsed(at, later) // dt.timedelta(microseconds=1)
