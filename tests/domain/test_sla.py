"""SLA clocks from event histories (RSP-1, RSP-2, RSP-6, SEV-4), on the real calendar
engine and the shipped policy files."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supportdesk.domain.calendars import BusinessCalendar, build_calendars
from supportdesk.domain.policy import Policy, load_policy_text
from supportdesk.domain.policy.model import TargetKind
from supportdesk.domain.sla import (
    CaseEvent,
    ClockState,
    Closed,
    FirstResponse,
    Paused,
    Received,
    Reopened,
    Resolved,
    Resumed,
    SeverityChanged,
    SlaClock,
    SlaHistoryError,
    Updated,
    nearest_due,
    next_deadline,
    sla_clocks,
    time_to_downgrade,
)

POLICIES = Path(__file__).resolve().parents[2] / "policies"
PARTNER_TEXT = (POLICIES / "partner-services.yaml").read_text()
PARTNER = load_policy_text(PARTNER_TEXT)
CALENDARS = build_calendars(PARTNER.calendars)
SUN = load_policy_text((POLICIES / "follow-the-sun.yaml").read_text())
SUN_CALENDARS = build_calendars(SUN.calendars)

# The partner-services policy with resolution and next-update targets added, to cover
# the target kinds neither shipped policy uses yet.
EXTENDED = load_policy_text(
    PARTNER_TEXT.replace(
        "    # RSP-3: Sev4 has no response target",
        "    - {severity: 2, target: resolution, hours: 40, clock: support}\n"
        "    - {severity: 2, target: next_update, hours: 8, clock: support}\n"
        "    # RSP-3: Sev4 has no response target",
    )
)

NY = ZoneInfo("America/New_York")
UTC = dt.UTC
H = dt.timedelta(hours=1)


def ny(month: int, day: int, hour: int = 0, minute: int = 0, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=NY)


def first_response(
    events: list[CaseEvent],
    now: dt.datetime,
    policy: Policy = PARTNER,
    calendars: dict[str, BusinessCalendar] = CALENDARS,
) -> SlaClock:
    (clock,) = sla_clocks(policy=policy, calendars=calendars, events=events, now=now)
    assert clock.kind is TargetKind.FIRST_RESPONSE
    return clock


def clock_of(kind: TargetKind, events: list[CaseEvent], now: dt.datetime) -> SlaClock:
    clocks = sla_clocks(policy=EXTENDED, calendars=CALENDARS, events=events, now=now)
    return next(c for c in clocks if c.kind is kind)


# RSP-1: Sev1, 12 hours around the clock.


def test_rsp1_sev1_due_12_hours_around_the_clock_from_sunday_0300() -> None:
    received = ny(3, 1, 3)  # Sunday: support is closed all day
    clock = first_response([Received(received, 1)], now=received)
    assert clock.due_at == ny(3, 1, 15)
    assert clock.due_at is not None and clock.due_at.tzinfo is UTC
    assert (clock.state, clock.clock, clock.target) == (
        ClockState.RUNNING,
        "around_the_clock",
        12 * H,
    )


def test_rsp1_sev1_counts_real_hours_across_the_spring_forward_night() -> None:
    # 20:00 EST Saturday + 12 real hours = 09:00 EDT Sunday (the 02:00 hour does not exist).
    clock = first_response([Received(ny(3, 7, 20), 1)], now=ny(3, 7, 20))
    assert clock.due_at == ny(3, 8, 9)
    assert clock.due_at == dt.datetime(2026, 3, 8, 13, tzinfo=UTC)


def test_rsp1_sev1_counts_real_hours_across_the_fall_back_night() -> None:
    # 20:00 EDT Saturday + 12 real hours = 07:00 EST Sunday (01:00-02:00 happens twice).
    clock = first_response([Received(ny(10, 31, 20), 1)], now=ny(10, 31, 20))
    assert clock.due_at == dt.datetime(2026, 11, 1, 12, tzinfo=UTC)
    assert clock.due_at == ny(11, 1, 7)


def test_rsp1_sev1_warnings_at_75_and_90_percent() -> None:
    received = ny(3, 2, 22)
    clock = first_response([Received(received, 1)], now=received + 10 * H)
    assert [(w.fraction, w.at, w.reached) for w in clock.warnings] == [
        (0.75, received + 9 * H, True),
        (0.9, received + dt.timedelta(hours=10.8), False),
    ]
    assert (clock.elapsed, clock.remaining) == (10 * H, 2 * H)


# RSP-2: Sev2 and Sev3, 24 business hours of the support calendar.


def test_rsp2_sev2_received_friday_evening_is_due_tuesday_1300() -> None:
    # Fri 19:00-20:00 (1 h), Sat 10-18 (8 h), Sunday closed, Mon 9-20 (11 h), Tue 9-13 (4 h).
    clock = first_response([Received(ny(3, 6, 19), 2)], now=ny(3, 6, 19))
    assert clock.due_at == ny(3, 10, 13)
    assert clock.clock == "support"


def test_rsp2_sev3_over_thanksgiving_is_due_saturday_1600() -> None:
    # Wed 10-20 (10 h), Thanksgiving closed, Friday after 10-18 (8 h), Sat 10-16 (6 h).
    clock = first_response([Received(ny(11, 25, 10), 3)], now=ny(11, 25, 10))
    assert clock.due_at == ny(11, 28, 16)


def test_rsp2_received_on_sunday_counts_from_monday_opening() -> None:
    clock = first_response([Received(ny(3, 1, 12), 3)], now=ny(3, 2, 10))
    assert clock.due_at == ny(3, 4, 11)  # Mon 11 h + Tue 11 h + Wed 2 h
    assert clock.elapsed == H
    assert clock.remaining == 23 * H


def test_rsp2_first_response_in_time_meets_the_target() -> None:
    events: list[CaseEvent] = [Received(ny(3, 2, 9), 2), FirstResponse(ny(3, 3, 10))]
    clock = first_response(events, now=ny(3, 9, 9))
    assert clock.state is ClockState.MET
    assert clock.met_at == ny(3, 3, 10)
    assert clock.elapsed == 12 * H
    assert clock.remaining == 12 * H  # the slack left when answered
    assert [w.reached for w in clock.warnings] == [False, False]
    assert next_deadline(clocks=[clock]) is None


# RSP-6: clocks show target, elapsed, remaining, paused time and breach.


def test_rsp6_breach_is_recorded_at_the_due_instant() -> None:
    received = ny(3, 2, 9)
    due = ny(3, 4, 11)
    at_due = first_response([Received(received, 2)], now=due)
    assert (at_due.state, at_due.remaining, at_due.breached) == (
        ClockState.RUNNING,
        dt.timedelta(0),
        False,
    )
    later = first_response([Received(received, 2)], now=ny(3, 4, 13))
    assert later.state is ClockState.BREACHED
    assert later.breached_at == due
    assert later.remaining == -2 * H


def test_rsp6_a_late_answer_stays_a_breach() -> None:
    events: list[CaseEvent] = [Received(ny(3, 2, 9), 2), FirstResponse(ny(3, 4, 12))]
    clock = first_response(events, now=ny(3, 5, 9))
    assert clock.state is ClockState.BREACHED
    assert (clock.met_at, clock.breached_at) == (ny(3, 4, 12), ny(3, 4, 11))


def test_rsp6_pause_extends_due() -> None:
    # Three business hours waiting on the customer move the due three business hours.
    events: list[CaseEvent] = [
        Received(ny(3, 2, 9), 2),
        Paused(ny(3, 2, 12)),
        Resumed(ny(3, 2, 15)),
    ]
    clock = first_response(events, now=ny(3, 2, 16))
    assert clock.due_at == ny(3, 4, 14)  # was Wed 11:00 without the pause
    assert clock.paused == 3 * H
    assert clock.elapsed == 4 * H
    assert clock.remaining == 20 * H


def test_rsp6_a_pause_outside_business_hours_moves_nothing() -> None:
    events: list[CaseEvent] = [
        Received(ny(3, 2, 9), 2),
        Paused(ny(3, 2, 21)),
        Resumed(ny(3, 3, 8)),
    ]
    clock = first_response(events, now=ny(3, 3, 10))
    assert clock.due_at == ny(3, 4, 11)
    assert clock.paused == 11 * H


def test_rsp6_while_paused_the_clock_stops_and_the_due_is_unknown() -> None:
    events: list[CaseEvent] = [Received(ny(3, 2, 9), 2), Paused(ny(3, 2, 13))]
    clock = first_response(events, now=ny(3, 5, 9))
    assert clock.state is ClockState.PAUSED
    assert clock.due_at is None
    assert (clock.elapsed, clock.remaining) == (4 * H, 20 * H)
    assert clock.paused == ny(3, 5, 9) - ny(3, 2, 13)
    assert [w.at for w in clock.warnings] == [None, None]
    assert next_deadline(clocks=[clock]) is None


def test_rsp6_sev1_pause_also_stops_the_around_the_clock_target() -> None:
    events: list[CaseEvent] = [Received(ny(3, 2, 0), 1), Paused(ny(3, 2, 2)), Resumed(ny(3, 2, 5))]
    assert first_response(events, now=ny(3, 2, 6)).due_at == ny(3, 2, 15)


def test_rsp6_resolving_first_counts_as_the_answer() -> None:
    events: list[CaseEvent] = [
        Received(ny(3, 2, 9), 3),
        Paused(ny(3, 2, 10)),
        Resolved(ny(3, 2, 11)),
    ]
    clock = first_response(events, now=ny(3, 9, 9))
    assert (clock.state, clock.met_at, clock.paused) == (ClockState.MET, ny(3, 2, 11), H)


def test_rsp6_next_deadline_is_the_next_warning_then_the_due() -> None:
    received = ny(3, 2, 0)
    events: list[CaseEvent] = [Received(received, 1)]
    at_start = first_response(events, now=received)
    assert next_deadline(clocks=[at_start]) == received + 9 * H
    after_warnings = first_response(events, now=received + 11 * H)
    assert next_deadline(clocks=[after_warnings]) == received + 12 * H
    at_due = first_response(events, now=received + 12 * H)
    assert next_deadline(clocks=[at_due]) == received + 12 * H  # breach is still to come
    breached = first_response(events, now=received + 13 * H)
    assert next_deadline(clocks=[breached]) is None
    assert nearest_due(clocks=[breached]) == received + 12 * H


def test_rsp6_sev3_follow_the_sun_target_spans_the_weekend_gap() -> None:
    # HRS-3: Friday 16:00 New York leaves 1 h of North America; EMEA opens Monday
    # 08:00 Stockholm (07:00 UTC) and gives the other 3 h of the 4 h Sev1 target.
    received = dt.datetime(2026, 3, 13, 20, tzinfo=UTC)
    clock = first_response([Received(received, 1)], received, SUN, SUN_CALENDARS)
    assert clock.due_at == dt.datetime(2026, 3, 16, 10, tzinfo=UTC)
    assert clock.clock == "follow_the_sun"


# SEV-4 and re-targeting.


def test_sev4_has_no_target() -> None:
    clock = first_response([Received(ny(3, 2, 9), 4)], now=ny(3, 20))
    assert clock.state is ClockState.NOT_APPLICABLE
    assert (clock.target, clock.due_at, clock.elapsed, clock.warnings) == (None, None, None, ())
    assert next_deadline(clocks=[clock]) is None
    assert nearest_due(clocks=[clock]) is None


def test_sev4_time_to_downgrade() -> None:
    received = ny(3, 2, 1)
    events: list[CaseEvent] = [
        Received(received, 1),
        SeverityChanged(received + 2 * H, 1, 1),
        SeverityChanged(received + 5 * H, 1, 2),
        SeverityChanged(received + 9 * H, 2, 3),
    ]
    assert time_to_downgrade(events=events) == 5 * H


def test_sev4_time_to_downgrade_counts_from_an_upgrade_to_sev1() -> None:
    events: list[CaseEvent] = [
        Received(ny(3, 2, 9), 3),
        SeverityChanged(ny(3, 2, 10), 3, 1),
        SeverityChanged(ny(3, 2, 13), 1, 2),
    ]
    assert time_to_downgrade(events=events) == 3 * H


def test_sev4_no_time_to_downgrade_until_downgraded() -> None:
    assert time_to_downgrade(events=[Received(ny(3, 2, 9), 1)]) is None
    assert time_to_downgrade(events=[Received(ny(3, 2, 9), 2)]) is None


def test_sev4_a_downgrade_does_not_breach_at_once() -> None:
    # Sev1 received Saturday 20:00, downgraded at 07:00 before its 08:00 due: the Sev3
    # target counts from receipt on the support calendar (Mon 9-20, Tue 9-20, Wed 9-11).
    events: list[CaseEvent] = [Received(ny(3, 7, 20), 1), SeverityChanged(ny(3, 8, 7), 1, 3)]
    clock = first_response(events, now=ny(3, 8, 12))
    assert (clock.state, clock.severity, clock.clock) == (ClockState.RUNNING, 3, "support")
    assert clock.due_at == ny(3, 11, 11)
    assert clock.breached_at is None


def test_sev4_upgrade_to_sev1_counts_from_receipt() -> None:
    events: list[CaseEvent] = [Received(ny(3, 2, 9), 3), SeverityChanged(ny(3, 2, 10), 3, 1)]
    clock = first_response(events, now=ny(3, 2, 11))
    assert clock.due_at == ny(3, 2, 21)
    assert clock.elapsed == 2 * H


def test_sev4_late_upgrade_to_sev1_is_due_at_the_change_not_before() -> None:
    received, upgraded = ny(3, 2, 9), ny(3, 3, 5)  # 20 h after receipt
    events: list[CaseEvent] = [Received(received, 3), SeverityChanged(upgraded, 3, 1)]
    assert first_response(events, now=upgraded).due_at == upgraded
    answered = first_response([*events, FirstResponse(upgraded)], now=upgraded + H)
    assert answered.state is ClockState.MET
    late = first_response([*events, FirstResponse(upgraded + H)], now=upgraded + 2 * H)
    assert (late.state, late.breached_at) == (ClockState.BREACHED, upgraded)


def test_sev4_upgrade_while_paused_is_due_when_the_customer_answers() -> None:
    events: list[CaseEvent] = [
        Received(ny(3, 2, 9), 3),
        Paused(ny(3, 2, 10)),
        SeverityChanged(ny(3, 3, 5), 3, 1),
    ]
    assert first_response(events, now=ny(3, 3, 6)).state is ClockState.PAUSED
    resumed = first_response([*events, Resumed(ny(3, 3, 8))], now=ny(3, 3, 8))
    # 1 h before the pause; the 11 h left of Sev1 count on from the resume.
    assert resumed.due_at == ny(3, 3, 19)


def test_sev4_a_breach_under_sev1_survives_the_downgrade() -> None:
    events: list[CaseEvent] = [Received(ny(3, 2, 9), 1), SeverityChanged(ny(3, 3, 0), 1, 3)]
    clock = first_response(events, now=ny(3, 3, 1))
    assert clock.breached_at == ny(3, 2, 21)
    assert clock.state is ClockState.BREACHED
    assert clock.due_at == ny(3, 4, 11)  # the Sev3 due now in force


def test_sev4_a_met_target_stays_met_after_a_change() -> None:
    events: list[CaseEvent] = [
        Received(ny(3, 2, 9), 3),
        FirstResponse(ny(3, 2, 9, 30)),
        SeverityChanged(ny(3, 3, 12), 3, 1),
    ]
    clock = first_response(events, now=ny(3, 4, 12))
    assert (clock.state, clock.severity, clock.met_at) == (ClockState.MET, 3, ny(3, 2, 9, 30))


def test_sev4_downgrade_to_sev4_before_the_due_leaves_no_target() -> None:
    events: list[CaseEvent] = [Received(ny(3, 2, 9), 1), SeverityChanged(ny(3, 2, 11), 1, 4)]
    clock = first_response(events, now=ny(3, 5))
    assert (clock.state, clock.due_at, clock.breached_at) == (ClockState.NOT_APPLICABLE, None, None)


# Resolution and next-update targets (not in the shipped policies; same rules).


def test_resolution_clock_skips_the_span_between_resolution_and_reopening() -> None:
    events: list[CaseEvent] = [
        Received(ny(3, 2, 9), 2),
        FirstResponse(ny(3, 2, 10)),
        Resolved(ny(3, 2, 19)),
        Reopened(ny(3, 3, 12)),
    ]
    resolution = clock_of(TargetKind.RESOLUTION, events, now=ny(3, 3, 13))
    # 10 h Monday + 1 h Tuesday after reopening; Tuesday 9-12 (resolved) does not count.
    assert resolution.elapsed == 11 * H
    assert resolution.state is ClockState.RUNNING
    assert resolution.due_at == ny(3, 5, 20)  # Mon 10 h, Tue 12-20 8 h, Wed 11 h, Thu 11 h
    done = clock_of(TargetKind.RESOLUTION, [*events, Closed(ny(3, 4, 10))], now=ny(3, 9))
    assert (done.state, done.met_at) == (ClockState.MET, ny(3, 4, 10))


def test_next_update_runs_from_each_response_and_keeps_past_breaches() -> None:
    events: list[CaseEvent] = [
        Received(ny(3, 2, 9), 2),
        FirstResponse(ny(3, 2, 10)),
        Updated(ny(3, 3, 12)),  # 10 + 3 = 13 business hours later: the 8 h cycle breached
    ]
    before = clock_of(TargetKind.NEXT_UPDATE, events[:1], now=ny(3, 2, 9, 30))
    assert before.state is ClockState.NOT_APPLICABLE
    clock = clock_of(TargetKind.NEXT_UPDATE, events, now=ny(3, 3, 13))
    assert clock.started_at == ny(3, 3, 12)
    assert clock.due_at == ny(3, 3, 20)
    assert clock.state is ClockState.RUNNING
    assert clock.breached_at == ny(3, 2, 18)


def test_next_update_stops_at_resolution() -> None:
    events: list[CaseEvent] = [
        Received(ny(3, 2, 9), 2),
        FirstResponse(ny(3, 2, 10)),
        Resolved(ny(3, 2, 12)),
    ]
    clock = clock_of(TargetKind.NEXT_UPDATE, events, now=ny(3, 9))
    assert (clock.state, clock.met_at, clock.breached_at) == (ClockState.MET, ny(3, 2, 12), None)


# History handling.


def test_a_history_must_start_with_the_receipt() -> None:
    with pytest.raises(SlaHistoryError) as caught:
        first_response([Paused(ny(3, 2, 8)), Received(ny(3, 2, 9), 2)], now=ny(3, 3))
    assert caught.value.field == "events"
    with pytest.raises(SlaHistoryError):
        first_response([Received(ny(3, 2, 9), 2), Received(ny(3, 2, 10), 2)], now=ny(3, 3))


def test_naive_instants_are_refused() -> None:
    with pytest.raises(SlaHistoryError) as caught:
        first_response([Received(dt.datetime(2026, 3, 2, 9), 2)], now=ny(3, 3))  # noqa: DTZ001
    assert caught.value.field == "events[0].at"


def test_events_after_now_are_not_seen() -> None:
    events: list[CaseEvent] = [Received(ny(3, 2, 9), 2), FirstResponse(ny(3, 2, 12))]
    assert first_response(events, now=ny(3, 2, 11)).state is ClockState.RUNNING


# Properties: replay determinism and pauses.

_START = dt.datetime(2026, 1, 1, tzinfo=UTC)
_SIMPLE_EVENTS: dict[str, Callable[[dt.datetime], CaseEvent]] = {
    "pause": Paused,
    "resume": Resumed,
    "response": FirstResponse,
    "update": Updated,
    "resolve": Resolved,
    "reopen": Reopened,
    "close": Closed,
}
_EVENT_KINDS = ("change", "pause", "resume", "response", "update", "resolve", "reopen", "close")


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[CaseEvent], dt.datetime]:
    received = _START + dt.timedelta(minutes=draw(st.integers(0, 500 * 24 * 60)))
    severity = draw(st.integers(1, 4))
    events: list[CaseEvent] = [Received(received, severity)]
    at = received
    for kind in draw(st.lists(st.sampled_from(_EVENT_KINDS), max_size=10)):
        at += dt.timedelta(minutes=draw(st.integers(1, 3 * 24 * 60)))
        if kind == "change":
            new = draw(st.integers(1, 4))
            events.append(SeverityChanged(at, severity, new))
            severity = new
        else:
            events.append(_SIMPLE_EVENTS[kind](at))
    now = at + dt.timedelta(minutes=draw(st.integers(0, 5 * 24 * 60)))
    return events, now


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history=histories(), seed=st.integers(0, 2**32 - 1))
def test_rsp6_replaying_the_same_events_gives_the_same_clocks(
    history: tuple[list[CaseEvent], dt.datetime], seed: int
) -> None:
    events, now = history
    first = sla_clocks(policy=EXTENDED, calendars=CALENDARS, events=events, now=now)
    again = sla_clocks(policy=EXTENDED, calendars=CALENDARS, events=list(events), now=now)
    shuffled = list(events)
    random.Random(seed).shuffle(shuffled)  # distinct instants: order of input is irrelevant
    assert first == again
    assert first == sla_clocks(policy=EXTENDED, calendars=CALENDARS, events=shuffled, now=now)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history=histories())
def test_rsp6_clocks_at_an_earlier_now_ignore_later_events(
    history: tuple[list[CaseEvent], dt.datetime],
) -> None:
    events, _ = history
    cut = events[len(events) // 2].at
    seen = [e for e in events if e.at <= cut]
    assert sla_clocks(policy=EXTENDED, calendars=CALENDARS, events=events, now=cut) == sla_clocks(
        policy=EXTENDED, calendars=CALENDARS, events=seen, now=cut
    )


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    received_minute=st.integers(0, 500 * 24 * 60),
    changes=st.lists(st.tuples(st.integers(1, 2 * 24 * 60), st.integers(1, 4)), max_size=3),
    pauses=st.lists(
        st.tuples(st.integers(1, 24 * 60), st.integers(1, 24 * 60)), min_size=1, max_size=3
    ),
    dropped=st.integers(0, 2),
    severity=st.integers(1, 4),
)
def test_rsp6_pausing_never_makes_a_due_earlier(
    received_minute: int,
    changes: list[tuple[int, int]],
    pauses: list[tuple[int, int]],
    dropped: int,
    severity: int,
) -> None:
    received = _START + dt.timedelta(minutes=received_minute)
    base: list[CaseEvent] = [Received(received, severity)]
    at, level = received, severity
    for gap, new in changes:
        at += dt.timedelta(minutes=gap)
        base.append(SeverityChanged(at, level, new))
        level = new
    spans: list[CaseEvent] = []
    cursor = received
    for gap, length in pauses:
        cursor += dt.timedelta(minutes=gap)
        spans += [Paused(cursor), Resumed(cursor + dt.timedelta(minutes=length))]
        cursor += dt.timedelta(minutes=length)
    now = max(at, cursor) + H
    fewer = spans[: 2 * (dropped % len(pauses))] + spans[2 * (dropped % len(pauses)) + 2 :]
    without = first_response([*base, *fewer], now=now)
    with_more = first_response([*base, *spans], now=now)
    assert with_more.paused >= without.paused
    if without.due_at is not None and with_more.due_at is not None:
        assert with_more.due_at >= without.due_at
    if with_more.breached_at is not None:
        assert without.breached_at is not None
        assert with_more.breached_at >= without.breached_at


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    received_minute=st.integers(0, 500 * 24 * 60),
    severity=st.integers(1, 3),
    pause=st.tuples(st.integers(0, 3 * 24 * 60), st.integers(1, 3 * 24 * 60)),
)
def test_rsp6_at_the_due_exactly_the_target_has_elapsed(
    received_minute: int, severity: int, pause: tuple[int, int]
) -> None:
    received = _START + dt.timedelta(minutes=received_minute)
    start = received + dt.timedelta(minutes=pause[0])
    end = start + dt.timedelta(minutes=pause[1])
    events: list[CaseEvent] = [Received(received, severity), Paused(start), Resumed(end)]
    due = first_response(events, now=end + 30 * 24 * H).due_at
    assert due is not None
    at_due = first_response(events, now=due)
    assert at_due.due_at == due
    assert (at_due.elapsed, at_due.remaining) == (at_due.target, dt.timedelta(0))
    assert at_due.breached_at is None
    # Oracle: the calendar's own business time since receipt, minus what the pause covered.
    cal = CALENDARS[at_due.clock or ""]
    covered = cal.elapsed(start, min(end, due)) if start < due else dt.timedelta(0)
    assert cal.elapsed(received, due) - covered == at_due.target
    assert not (start < due < end)  # a due never falls inside a pause
    later = first_response(events, now=due + 24 * 7 * H)
    assert (later.state, later.breached_at) == (ClockState.BREACHED, due)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history=histories())
def test_sev4_a_due_is_never_before_the_change_that_set_it(
    history: tuple[list[CaseEvent], dt.datetime],
) -> None:
    events, now = history
    changes = [e.at for e in events if isinstance(e, SeverityChanged)]
    for clock in sla_clocks(policy=EXTENDED, calendars=CALENDARS, events=events, now=now):
        if clock.state is ClockState.RUNNING and changes:
            assert clock.due_at is not None
            assert clock.due_at >= changes[-1]
        if clock.state is ClockState.RUNNING:
            # Running means not breached: the due is still ahead (or exactly now).
            assert clock.due_at is not None and clock.due_at >= now
            assert clock.remaining is not None and clock.remaining >= dt.timedelta(0)
            # Only next_update keeps breaches of earlier cycles while a new one runs.
            assert clock.breached_at is None or clock.kind is TargetKind.NEXT_UPDATE
        if clock.breached_at is not None:
            assert events[0].at <= clock.breached_at < now
