"""Explaining a deadline (issue 22): the counted open time, pauses, severity changes and
the due, checked on named cases and, as a property, against a minute-by-minute oracle."""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import HealthCheck, given, settings

from supportdesk.domain.policy.model import TargetKind
from supportdesk.domain.sla import (
    CaseEvent,
    FirstResponse,
    Paused,
    Received,
    Resumed,
    SeverityChanged,
    sla_clocks,
)
from supportdesk.domain.sla.explain import DeadlineExplanation, explain_deadlines
from supportdesk.domain.sla.explain_text import deadline_sentence, explanation_data
from tests.domain.calendar_oracle import CalendarOracle, epoch, ny, partner_services_spec
from tests.domain.test_sla import CALENDARS, EXTENDED, PARTNER, histories

H = dt.timedelta(hours=1)


def first_response(events: list[CaseEvent], now: dt.datetime) -> DeadlineExplanation:
    explained = explain_deadlines(policy=PARTNER, calendars=CALENDARS, events=events, now=now)
    return next(d for d in explained.deadlines if d.clock.kind is TargetKind.FIRST_RESPONSE)


def test_explain_sev2_from_friday_evening_names_every_counted_interval() -> None:
    received = ny(2026, 3, 13, 19)
    d = first_response([Received(received, 2)], now=received)
    assert deadline_sentence(d, plain=True) == (
        "first response: 24 business hours from Fri 13 Mar 19:00 EDT: Fri 13 Mar 19:00-20:00, "
        "Sat 14 Mar 10:00-18:00, Mon 16 Mar 09:00-20:00, Tue 17 Mar 09:00-13:00 "
        "→ due Tue 17 Mar 13:00 EDT"
    )
    assert sum(p.seconds for p in d.counted) == 24 * 3600


def test_explain_over_the_dst_weekend_shows_both_zone_abbreviations() -> None:
    # 2026-11-01: New York falls back; Saturday counts in EDT, the due is in EST.
    received = ny(2026, 10, 30, 19)
    d = first_response([Received(received, 2)], now=received)
    text = deadline_sentence(d)
    assert text.startswith("first response: 24 business hours from Fri 30 Oct 19:00 EDT")
    assert "Sat 31 Oct 10:00-18:00" in text
    assert text.endswith("→ due Tue 03 Nov 13:00 EST [clock support, running]")


def test_explain_names_thanksgiving_closed_and_the_reduced_friday_after() -> None:
    received = ny(2026, 11, 25, 19)
    d = first_response([Received(received, 3)], now=received)
    assert [(p.day.day, p.holiday, p.reduced) for p in d.counted] == [
        (25, None, False),
        (27, "Friday after Thanksgiving", True),
        (28, None, False),
        (30, None, False),
    ]
    assert [h.name for h in d.closed_holidays] == ["Thanksgiving Day"]
    text = deadline_sentence(d)
    assert "Fri 27 Nov 10:00-18:00 (Friday after Thanksgiving, reduced hours)" in text
    assert "(closed: Thu 26 Nov Thanksgiving Day)" in text
    assert d.clock.due_at == ny(2026, 11, 30, 16)


def test_explain_a_pause_over_a_weekend_is_listed_with_its_cause_and_not_counted() -> None:
    received = ny(2026, 3, 13, 9)  # Friday
    events: list[CaseEvent] = [
        Received(received, 2),
        Paused(ny(2026, 3, 13, 19)),
        Resumed(ny(2026, 3, 16, 9)),
    ]
    d = first_response(events, now=ny(2026, 3, 16, 10))
    assert [s.cause for s in d.stopped] == ["waiting_on_customer"]
    assert all(p.day.weekday() != 5 for p in d.counted)  # Saturday lay inside the pause
    assert d.clock.due_at == ny(2026, 3, 17, 12)  # Fri 10 h + Mon 11 h + Tue 3 h
    assert "not counted from Fri 13 Mar 19:00 EDT until Mon 16 Mar 09:00 EDT" in (
        deadline_sentence(d)
    )


def test_explain_a_severity_change_shows_how_it_retargeted() -> None:
    received = ny(2026, 3, 16, 9)  # Monday
    events: list[CaseEvent] = [Received(received, 2), SeverityChanged(ny(2026, 3, 16, 11), 2, 1)]
    d = first_response(events, now=ny(2026, 3, 16, 12))
    (change,) = d.retargets
    assert (change.from_severity, change.to_severity) == (2, 1)
    assert change.target_after == 12 * H and not change.floored
    assert change.due_after == d.clock.due_at == ny(2026, 3, 16, 21)
    assert d.around_the_clock
    assert "severity 2 → 1 at Mon 16 Mar 11:00 EDT (target 12 hours from the start)" in (
        deadline_sentence(d)
    )


def test_explain_a_late_upgrade_is_due_at_the_change() -> None:
    received = ny(2026, 3, 16, 9)
    change_at = ny(2026, 3, 17, 9)  # 24 h later: the 12-hour target ran out already
    events: list[CaseEvent] = [Received(received, 2), SeverityChanged(change_at, 2, 1)]
    d = first_response(events, now=change_at)
    assert d.retargets[0].floored
    assert d.clock.due_at == change_at
    assert d.reached_at == ny(2026, 3, 16, 21)


def test_explain_for_the_customer_leaves_out_internal_codes() -> None:
    received = ny(2026, 3, 13, 19)
    explained = explain_deadlines(
        policy=PARTNER,
        calendars=CALENDARS,
        events=[Received(received, 2), FirstResponse(ny(2026, 3, 16, 9))],
        now=ny(2026, 3, 16, 10),
    )
    data = explanation_data(explained, plain=True)
    assert "policy" not in data
    (deadline,) = data["deadlines"]
    assert deadline["target"] == "first response" and deadline["state"] == "met"
    assert "clock" not in deadline and "[clock" not in deadline["sentence"]
    assert deadline["sentence"].endswith("; met Mon 16 Mar 09:00 EDT")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history=histories())
def test_counted_pieces_are_open_time_adding_up_to_the_target(
    history: tuple[list[CaseEvent], dt.datetime],
) -> None:
    events, now = history
    explained = explain_deadlines(policy=EXTENDED, calendars=CALENDARS, events=events, now=now)
    clocks = sla_clocks(policy=EXTENDED, calendars=CALENDARS, events=events, now=now)
    assert tuple(d.clock for d in explained.deadlines) == clocks  # explaining changes nothing
    oracles = {
        "support": CalendarOracle([partner_services_spec()], epoch(events[0].at)),
    }
    for d in explained.deadlines:
        pieces = d.counted
        for a, b in itertools.pairwise(pieces):
            assert a.end <= b.start
        for s in d.stopped:  # nothing counted while the clock was stopped
            assert all(p.end <= s.start or (s.end is not None and p.start >= s.end) for p in pieces)
        oracle = oracles.get(d.clock.clock or "")
        if oracle is not None:
            for p in pieces:  # every counted second was open, by the brute-force oracle
                assert oracle.elapsed(epoch(p.start), epoch(p.end)) == p.seconds
        if d.reached_at is not None and d.clock.target is not None:
            assert sum(p.seconds for p in pieces) == d.clock.target.total_seconds()
            assert d.clock.target and (not pieces or pieces[-1].end == d.reached_at)
            if d.clock.due_at is not None and not any(r.floored for r in d.retargets):
                assert d.clock.due_at == d.reached_at
