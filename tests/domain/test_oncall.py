"""On-call schedules (issue 7) and paging plans: rotations, overrides, holes, DST hand-offs."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supportdesk.domain.calendars.spec import TimeInterval, Weekday
from supportdesk.domain.errors import DomainError
from supportdesk.domain.oncall import (
    Layer,
    OnCallSource,
    Override,
    PagePlan,
    PageState,
    PageStep,
    RotationPeriod,
    Schedule,
    SentNotification,
    next_handoff,
    next_page_actions,
    resolve_local,
    who_is_on_call,
)

UTC = dt.UTC
NEW_YORK = ZoneInfo("America/New_York")
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def at(text: str, zone: dt.tzinfo = UTC) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=zone)


def daily(
    time: str,
    zone: str = "America/New_York",
    people: tuple[str, ...] = ("ann", "bob", "cy"),
    start: str = "2026-03-01",
    name: str = "primary",
    active: tuple[tuple[TimeInterval, ...], ...] | None = None,
) -> Layer:
    return Layer(
        name=name,
        participants=people,
        handoff_time=dt.time.fromisoformat(time),
        zone=zone,
        period=RotationPeriod.DAILY,
        start=dt.date.fromisoformat(start),
        active=active,
    )


def person(schedule: Schedule, instant: dt.datetime) -> str | None:
    return who_is_on_call(schedule, instant).person


# -- rotations ----------------------------------------------------------------------------


def test_daily_rotation_hands_off_at_the_local_time() -> None:
    s = Schedule("support", (daily("09:00"),))
    assert person(s, at("2026-03-02 08:59", NEW_YORK)) == "ann"  # day 0 = 1 March
    assert person(s, at("2026-03-02 09:00", NEW_YORK)) == "bob"
    assert person(s, at("2026-03-03 09:00", NEW_YORK)) == "cy"
    assert person(s, at("2026-03-04 09:00", NEW_YORK)) == "ann"


def test_weekly_rotation_hands_off_on_its_weekday_from_the_first_on_or_after_start() -> None:
    layer = Layer(
        "weekly",
        ("ann", "bob"),
        dt.time(10, 0),
        "Europe/Stockholm",
        RotationPeriod.WEEKLY,
        dt.date(2026, 3, 4),  # a Wednesday; the first Monday hand-off is 9 March
        handoff_weekday=Weekday.MON,
    )
    s = Schedule("emea", (layer,), fallback="manager")
    hole = who_is_on_call(s, at("2026-03-08 12:00", STOCKHOLM))
    assert (hole.person, hole.source, hole.coverage_gap) == ("manager", OnCallSource.FALLBACK, True)
    assert person(s, at("2026-03-09 10:00", STOCKHOLM)) == "ann"
    assert person(s, at("2026-03-16 09:59", STOCKHOLM)) == "ann"
    assert person(s, at("2026-03-16 10:00", STOCKHOLM)) == "bob"
    assert person(s, at("2026-03-23 10:00", STOCKHOLM)) == "ann"


def test_first_layer_with_someone_wins_and_restrictions_make_holes() -> None:
    weekdays = ((TimeInterval(9 * 3600, 17 * 3600),),) * 5 + ((), ())
    business = daily("09:00", people=("ann",), name="business", active=weekdays)
    nights = daily("09:00", people=("nick",), name="nights")
    s = Schedule("support", (business, nights), fallback="manager")
    day = who_is_on_call(s, at("2026-03-10 12:00", NEW_YORK))
    assert (day.person, day.layer) == ("ann", "business")
    night = who_is_on_call(s, at("2026-03-10 17:00", NEW_YORK))
    assert (night.person, night.layer, night.coverage_gap) == ("nick", "nights", False)


def test_a_hole_in_every_layer_falls_back_to_the_escalation_manager() -> None:
    weekdays = ((TimeInterval(9 * 3600, 17 * 3600),),) * 5 + ((), ())
    s = Schedule("support", (daily("09:00", active=weekdays),), fallback="eve-manager")
    answer = who_is_on_call(s, at("2026-03-14 12:00", NEW_YORK))  # Saturday
    assert answer.person == "eve-manager"
    assert answer.source is OnCallSource.FALLBACK
    assert answer.coverage_gap


def test_a_hole_without_fallback_is_nobody() -> None:
    s = Schedule("support", (daily("09:00", start="2026-04-01"),))
    answer = who_is_on_call(s, at("2026-03-14 12:00", NEW_YORK))
    assert (answer.person, answer.source, answer.coverage_gap) == (None, OnCallSource.NOBODY, True)


def test_overrides_beat_layers_and_the_last_listed_wins() -> None:
    overrides = (
        Override(at("2026-03-10 00:00"), at("2026-03-12 00:00"), "olga"),
        Override(at("2026-03-11 00:00"), at("2026-03-11 06:00"), "pete"),
    )
    s = Schedule("support", (daily("09:00"),), overrides)
    assert who_is_on_call(s, at("2026-03-10 12:00")).source is OnCallSource.OVERRIDE
    assert person(s, at("2026-03-10 12:00")) == "olga"
    assert person(s, at("2026-03-11 03:00")) == "pete"
    assert person(s, at("2026-03-11 06:00")) == "olga"
    assert person(s, at("2026-03-12 00:00")) != "olga"


# -- DST hand-offs ------------------------------------------------------------------------


def test_handoff_in_the_skipped_hour_happens_at_the_first_instant_after_the_gap() -> None:
    # New York springs forward on Sunday 8 March 2026: 02:00 EST -> 03:00 EDT (07:00 UTC).
    s = Schedule("support", (daily("02:30"),))
    handoff = next_handoff(s, at("2026-03-08 00:00", NEW_YORK))
    assert handoff is not None
    assert handoff.at == at("2026-03-08 07:00")
    assert handoff.at.astimezone(NEW_YORK).strftime("%H:%M %Z") == "03:00 EDT"
    # Shifts start on 1 March (ann), so 7 March is ann's again and 8 March bob's.
    assert person(s, at("2026-03-08 06:59:59")) == "ann"
    assert person(s, at("2026-03-08 07:00")) == "bob"
    # The next day the hand-off is back at 02:30 local, now EDT.
    later = next_handoff(s, handoff.at)
    assert later is not None
    assert later.at == at("2026-03-09 02:30", NEW_YORK) == at("2026-03-09 06:30")


def test_handoff_in_the_repeated_hour_happens_at_the_first_occurrence() -> None:
    # New York falls back on Sunday 1 November 2026: 01:00-02:00 happens twice.
    s = Schedule("support", (daily("01:30", start="2026-10-01"),))
    handoff = next_handoff(s, at("2026-11-01 00:00", NEW_YORK))
    assert handoff is not None
    assert handoff.at == at("2026-11-01 05:30")  # 01:30 EDT, fold=0
    before, after = handoff.before.person, handoff.after.person
    # The second 01:30 (EST, 06:30 UTC) is no hand-off: the same person stays on.
    assert person(s, at("2026-11-01 06:30")) == after != before
    following = next_handoff(s, handoff.at)
    assert following is not None
    assert following.at == at("2026-11-02 01:30", NEW_YORK) == at("2026-11-02 06:30")


def test_stockholm_handoff_in_the_skipped_hour() -> None:
    # Stockholm springs forward on 29 March 2026: 02:00 CET -> 03:00 CEST (01:00 UTC).
    s = Schedule("emea", (daily("02:15", zone="Europe/Stockholm"),))
    handoff = next_handoff(s, at("2026-03-29 00:00", STOCKHOLM))
    assert handoff is not None
    assert handoff.at == at("2026-03-29 01:00")


def test_the_shift_spanning_spring_forward_is_an_hour_shorter_and_fall_back_an_hour_longer() -> (
    None
):
    s = Schedule("support", (daily("09:00", start="2026-01-01"),))
    start = at("2026-03-07 09:00", NEW_YORK)
    spring = next_handoff(s, start)
    assert spring is not None
    assert spring.at - start == dt.timedelta(hours=23)
    start = at("2026-10-31 09:00", NEW_YORK)
    autumn = next_handoff(s, start)
    assert autumn is not None
    assert autumn.at - start == dt.timedelta(hours=25)


def test_restriction_boundaries_are_handoffs() -> None:
    weekdays = ((TimeInterval(9 * 3600, 17 * 3600),),) * 5 + ((), ())
    s = Schedule("support", (daily("09:00", people=("ann",), active=weekdays),), fallback="mgr")
    handoff = next_handoff(s, at("2026-03-13 12:00", NEW_YORK))  # Friday
    assert handoff is not None
    assert handoff.at == at("2026-03-13 17:00", NEW_YORK)
    assert (handoff.after.person, handoff.after.coverage_gap) == ("mgr", True)
    back = next_handoff(s, handoff.at)
    assert back is not None
    assert back.at == at("2026-03-16 09:00", NEW_YORK)


def test_override_bounds_are_handoffs() -> None:
    s = Schedule(
        "support",
        (daily("09:00", people=("ann",)),),
        (Override(at("2026-03-10 15:00"), at("2026-03-10 18:00"), "olga"),),
    )
    first = next_handoff(s, at("2026-03-10 12:00"))
    assert first is not None
    assert (first.at, first.after.person) == (at("2026-03-10 15:00"), "olga")
    second = next_handoff(s, first.at)
    assert second is not None
    assert (second.at, second.after.person) == (at("2026-03-10 18:00"), "ann")


def test_a_one_person_rotation_never_hands_off() -> None:
    s = Schedule("support", (daily("09:00", people=("ann",)),))
    assert next_handoff(s, at("2026-03-10 12:00")) is None


def _oracle_resolve(day: dt.date, seconds: int, zone: ZoneInfo) -> dt.datetime:
    """Brute force: the earliest minute whose local reading is the wall time or later."""
    wall = dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=seconds)
    t = wall.replace(tzinfo=UTC) - dt.timedelta(hours=16)
    while t.astimezone(zone).replace(tzinfo=None) < wall:
        t += dt.timedelta(minutes=1)
    return t


@given(
    day=st.sampled_from(
        [
            dt.date(2026, 3, 8),
            dt.date(2026, 3, 29),
            dt.date(2026, 10, 25),
            dt.date(2026, 11, 1),
            dt.date(2026, 6, 1),
        ]
    ),
    quarter=st.integers(min_value=0, max_value=95),
    zone=st.sampled_from(["America/New_York", "Europe/Stockholm", "Australia/Lord_Howe"]),
)
@settings(max_examples=150, deadline=None)
def test_resolve_local_matches_the_brute_force_rule(day: dt.date, quarter: int, zone: str) -> None:
    tz = ZoneInfo(zone)
    assert resolve_local(day, quarter * 900, tz) == _oracle_resolve(day, quarter * 900, tz)


@given(minute=st.integers(min_value=0, max_value=60 * 24 * 20))
@settings(max_examples=150, deadline=None)
def test_who_is_on_call_only_changes_at_next_handoff(minute: int) -> None:
    weekdays = ((TimeInterval(8 * 3600, 18 * 3600),),) * 5 + ((), ())
    s = Schedule(
        "support",
        (daily("02:30", active=weekdays, name="day"), daily("01:30", people=("x", "y"))),
        (Override(at("2026-03-09 10:00"), at("2026-03-09 13:00"), "olga"),),
        fallback="mgr",
    )
    t = at("2026-02-28 00:00") + dt.timedelta(minutes=minute)
    handoff = next_handoff(s, t)
    assert handoff is not None
    assert handoff.at > t
    here = who_is_on_call(s, t)
    # Nothing changes strictly before the hand-off (checked at a few instants).
    for fraction in (0.25, 0.5, 0.999):
        probe = t + (handoff.at - t) * fraction
        if probe < handoff.at:
            assert person(s, probe) == here.person
    assert (handoff.after.person, handoff.after.coverage_gap) != (here.person, here.coverage_gap)


@pytest.mark.parametrize(
    "build",
    [
        lambda: daily("09:00", people=()),
        lambda: daily("09:00", zone="Mars/Olympus"),
        lambda: Layer("w", ("a",), dt.time(9), "UTC", RotationPeriod.WEEKLY, dt.date(2026, 1, 1)),
        lambda: Override(at("2026-03-10 12:00"), at("2026-03-10 11:00"), "x"),
        lambda: Override(dt.datetime(2026, 3, 10), at("2026-03-10 11:00"), "x"),  # noqa: DTZ001
    ],
)
def test_bad_schedules_are_refused(build: object) -> None:
    with pytest.raises(DomainError):
        build()  # type: ignore[operator]


# -- paging plans ---------------------------------------------------------------------------

T0 = at("2026-03-10 02:00")
MIN = dt.timedelta(minutes=1)
STEPS = (
    PageStep(("ann",), escalate_after=15 * MIN, renotify_every=5 * MIN),
    PageStep(("bob", "mgr"), escalate_after=30 * MIN, renotify_every=10 * MIN),
)


def sent(*items: tuple[int, str, int]) -> tuple[SentNotification, ...]:
    return tuple(SentNotification(s, t, r, T0) for s, t, r in items)


def plan(
    now: dt.datetime, history: tuple[SentNotification, ...] = (), ack: dt.datetime | None = None
) -> PagePlan:
    return next_page_actions(steps=STEPS, created_at=T0, sent=history, acknowledged_at=ack, now=now)


def test_a_new_page_notifies_the_first_step_at_once() -> None:
    p = plan(T0)
    assert p.state is PageState.PAGING
    assert [(d.step, d.target, d.round) for d in p.due] == [(0, "ann", 0)]
    assert p.wake_at == T0 + 5 * MIN
    assert p.exhausted_at == T0 + 45 * MIN


def test_the_plan_is_idempotent_once_the_notification_is_recorded() -> None:
    first = plan(T0 + MIN)
    assert first == plan(T0 + MIN)  # the same history gives the same answer
    assert plan(T0 + MIN, sent((0, "ann", 0))).due == ()
    assert plan(T0 + MIN, sent((0, "ann", 0))).wake_at == T0 + 5 * MIN


def test_renotification_rounds_and_keys() -> None:
    p = plan(T0 + 7 * MIN, sent((0, "ann", 0)))
    (due,) = p.due
    assert (due.round, due.due_at, due.key) == (1, T0 + 5 * MIN, "0:ann:1")
    assert p.wake_at == T0 + 10 * MIN


def test_a_late_worker_sends_one_catch_up_not_every_missed_round() -> None:
    p = plan(T0 + 14 * MIN)
    assert [(d.target, d.round) for d in p.due] == [("ann", 2)]
    assert p.wake_at == T0 + 15 * MIN  # the escalation comes before the next round


def test_escalation_moves_to_the_next_step() -> None:
    p = plan(T0 + 15 * MIN, sent((0, "ann", 0), (0, "ann", 1), (0, "ann", 2)))
    assert p.step == 1
    assert [(d.step, d.target, d.round) for d in p.due] == [(1, "bob", 0), (1, "mgr", 0)]


def test_acknowledgement_stops_everything() -> None:
    p = plan(T0 + 20 * MIN, sent((0, "ann", 0)), ack=T0 + 3 * MIN)
    assert (p.state, p.due, p.wake_at) == (PageState.ACKNOWLEDGED, (), None)


def test_a_page_with_no_acknowledgement_runs_out_of_steps() -> None:
    p = plan(T0 + 45 * MIN)
    assert (p.state, p.due, p.wake_at) == (PageState.EXHAUSTED, (), None)
    assert plan(T0 + 44 * MIN).wake_at == T0 + 45 * MIN


def test_a_step_whose_lookup_yielded_nobody_is_skipped_at_once() -> None:
    steps = (PageStep((), escalate_after=30 * MIN), PageStep(("bob",), escalate_after=10 * MIN))
    p = next_page_actions(steps=steps, created_at=T0, sent=(), acknowledged_at=None, now=T0)
    assert p.step == 1
    assert [(d.step, d.target) for d in p.due] == [(1, "bob")]
    assert p.exhausted_at == T0 + 10 * MIN


def test_a_step_without_renotification_notifies_once() -> None:
    steps = (PageStep(("ann",), escalate_after=30 * MIN),)
    kwargs = {"steps": steps, "created_at": T0, "acknowledged_at": None}
    assert next_page_actions(**kwargs, sent=(), now=T0 + 20 * MIN).due[0].round == 0  # type: ignore[arg-type]
    again = next_page_actions(**kwargs, sent=sent((0, "ann", 0)), now=T0 + 20 * MIN)  # type: ignore[arg-type]
    assert (again.due, again.wake_at) == ((), T0 + 30 * MIN)


def test_simulated_worker_sends_each_slot_exactly_once() -> None:
    history: list[SentNotification] = []
    now, wakes = T0, 0
    while True:
        p = plan(now, tuple(history))
        history.extend(SentNotification(d.step, d.target, d.round, now) for d in p.due)
        assert plan(now, tuple(history)).due == ()  # running twice sends nothing more
        if p.wake_at is None:
            break
        now, wakes = p.wake_at, wakes + 1
    keys = [(n.step, n.target, n.round) for n in history]
    assert len(keys) == len(set(keys))
    # Step 0: rounds 0, 1, 2 to ann; step 1: rounds 0, 1, 2 to bob and mgr.
    assert len(keys) == 3 + 6


@given(
    wakes=st.lists(st.integers(min_value=0, max_value=60 * 60), max_size=25),
    ack=st.one_of(st.none(), st.integers(min_value=0, max_value=60 * 60)),
)
@settings(max_examples=200, deadline=None)
def test_a_worker_waking_at_any_times_never_sends_a_slot_twice(
    wakes: list[int], ack: int | None
) -> None:
    acknowledged = None if ack is None else T0 + dt.timedelta(seconds=ack)
    history: list[SentNotification] = []
    for second in sorted(wakes):
        now = T0 + dt.timedelta(seconds=second)
        p = plan(now, tuple(history), acknowledged)
        for due in p.due:
            assert due.due_at <= now
            assert acknowledged is None or now < acknowledged  # nothing after the ack
        history.extend(SentNotification(d.step, d.target, d.round, now) for d in p.due)
    keys = [(n.step, n.target, n.round) for n in history]
    assert len(keys) == len(set(keys))
