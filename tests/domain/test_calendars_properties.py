"""Property tests: the calendar engine against the brute-force minute oracle.

Random calendars (weekly hours with boundaries biased towards midnight and the DST
hours, random holiday rules of every kind, imported public holidays) in four zones:
New York and Stockholm (DST on different dates), Sydney (southern-hemisphere DST)
and Tokyo (none). Query instants cluster around each zone's DST changes and New Year.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supportdesk.domain.calendars import BusinessCalendar, build_calendar, build_calendars
from supportdesk.domain.calendars.spec import (
    DAY_SECONDS,
    CalendarSpec,
    DayHours,
    EasterOffset,
    FixedDate,
    HolidayDate,
    HolidayRule,
    ImportedHolidays,
    NthWeekday,
    Observed,
    OffsetFrom,
    OneOff,
    TimeInterval,
    Weekday,
)
from tests.domain.calendar_oracle import CalendarOracle, DayOracle, epoch, from_epoch

ZONES = ("America/New_York", "Europe/Stockholm", "Australia/Sydney", "Asia/Tokyo")
IMPORTS = {
    "America/New_York": ("US", None),
    "Europe/Stockholm": ("SE", None),
    "Australia/Sydney": ("AU", "NSW"),
    "Asia/Tokyo": ("JP", None),
}
#: Instants worth clustering around, per zone: its DST changes, its New Year.
ANCHORS = {
    "America/New_York": ("2026-03-08T07:00Z", "2026-11-01T06:00Z", "2027-11-07T06:00Z"),
    "Europe/Stockholm": ("2026-03-29T01:00Z", "2026-10-25T01:00Z", "2027-10-31T01:00Z"),
    "Australia/Sydney": ("2026-04-04T16:00Z", "2026-10-03T16:00Z", "2027-04-03T16:00Z"),
    "Asia/Tokyo": ("2026-06-15T03:00Z", "2027-02-11T03:00Z"),
}
NEW_YEAR = ("2026-12-31T12:00Z", "2027-12-31T12:00Z")
ANCHOR_EPOCHS = {
    zone: tuple(epoch(dt.datetime.fromisoformat(a)) for a in (*anchors, *NEW_YEAR))
    for zone, anchors in ANCHORS.items()
}

PROPERTY_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Strategies.

#: Minutes after midnight: the DST hours, midnight and 24:00 come up often.
boundaries = st.one_of(
    st.sampled_from([0, 60, 90, 120, 150, 180, 540, 1020, 1200, 1440]),
    st.integers(0, 96).map(lambda q: q * 15),
)


@st.composite
def day_hours(draw: st.DrawFn) -> DayHours:
    marks = sorted(draw(st.lists(boundaries, unique=True, max_size=4)))
    return tuple(
        TimeInterval(marks[i] * 60, marks[i + 1] * 60) for i in range(0, len(marks) - 1, 2)
    )


@st.composite
def holiday_dates(draw: st.DrawFn, earlier: tuple[str, ...]) -> HolidayDate:
    kinds = ["fixed", "nth", "easter", "oneoff"] + (["offset"] if earlier else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "fixed":
        month = draw(st.integers(1, 12))
        day = draw(st.integers(1, 29 if month == 2 else 30))
        return FixedDate(month, day, draw(st.sampled_from(list(Observed))))
    if kind == "nth":
        n = draw(st.sampled_from([1, 2, 3, 4, 5, -1]))
        return NthWeekday(draw(st.integers(1, 12)), draw(st.sampled_from(list(Weekday))), n)
    if kind == "easter":
        return EasterOffset(draw(st.integers(-3, 60)))
    if kind == "oneoff":
        return OneOff(draw(st.dates(dt.date(2026, 1, 1), dt.date(2027, 12, 31))))
    return OffsetFrom(draw(st.sampled_from(earlier)), draw(st.integers(-3, 3)))


@st.composite
def calendar_specs(draw: st.DrawFn, name: str = "random", zone: str | None = None) -> CalendarSpec:
    zone = zone or draw(st.sampled_from(ZONES))
    if draw(st.booleans()):
        weekly = tuple(draw(day_hours()) for _ in range(7))
    else:  # the same hours every day, so the DST days have them too
        weekly = (draw(day_hours()),) * 7
    rules: list[HolidayRule] = []
    for i in range(draw(st.integers(0, 4))):
        when = draw(holiday_dates(tuple(r.name for r in rules)))
        rules.append(HolidayRule(f"h{i}", when, draw(day_hours()), draw(st.booleans())))
    imported = None
    if draw(st.booleans()):
        country, subdivision = IMPORTS[zone]
        imported = ImportedHolidays(country, subdivision, frozenset({"New Year's Day"}))
    return CalendarSpec(
        name=name, zone=zone, weekly=weekly, holidays=tuple(rules), imported=imported
    )


def usable(spec: CalendarSpec) -> bool:
    """At least 10 open hours a week (adds finish within the oracle's horizon) and at
    least one day that is not open round the clock (so it closes every week)."""
    weekly_open = sum(i.end - i.start for day in spec.weekly for i in day)
    full = (TimeInterval(0, DAY_SECONDS),)
    return weekly_open >= 10 * 3600 and any(day != full for day in spec.weekly)


usable_specs = calendar_specs().filter(usable)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[CalendarSpec, int]:
    """A usable calendar and an instant near one of its zone's DST changes or New Year."""
    spec = draw(usable_specs)
    anchor = draw(st.sampled_from(ANCHOR_EPOCHS[spec.zone]))
    return spec, anchor + draw(st.integers(-3 * 86_400, 3 * 86_400))


instants = st.builds(
    lambda anchor, delta: anchor + delta,
    st.sampled_from(sorted({t for ts in ANCHOR_EPOCHS.values() for t in ts})),
    st.integers(-3 * 86_400, 3 * 86_400),
)
durations = st.one_of(
    st.sampled_from([0, 1, 59, 60, 3600, 11 * 3600, 24 * 3600]),
    st.integers(0, 40 * 3600),
)


def engine_for(spec: CalendarSpec) -> BusinessCalendar:
    return build_calendar(spec)


# Properties.


@PROPERTY_SETTINGS
@given(
    scenario=scenarios(),
    queries=st.lists(st.tuples(st.integers(0, 4 * 86_400), durations), min_size=1, max_size=6),
)
def test_engine_agrees_with_the_oracle(
    scenario: tuple[CalendarSpec, int], queries: list[tuple[int, int]]
) -> None:
    spec, start = scenario
    cal, oracle = engine_for(spec), CalendarOracle([spec], start)
    for offset, seconds in queries:
        t = start + offset
        at = from_epoch(t)
        assert cal.is_open(at) == oracle.is_open(t)
        assert epoch(cal.next_open(at)) == oracle.next_open(t)
        close = cal.next_close(at)
        assert close is not None
        assert epoch(close) == oracle.next_close(t)
        assert epoch(cal.add(at, dt.timedelta(seconds=seconds))) == oracle.add(t, seconds)
        end = t + seconds
        assert cal.elapsed(at, from_epoch(end)).total_seconds() == oracle.elapsed(t, end)
        assert cal.elapsed(from_epoch(end), at) == dt.timedelta(0)


@PROPERTY_SETTINGS
@given(scenario=scenarios(), span=st.integers(0, 3 * 86_400))
def test_open_intervals_agree_with_the_oracle(
    scenario: tuple[CalendarSpec, int], span: int
) -> None:
    spec, start = scenario
    cal, oracle = engine_for(spec), CalendarOracle([spec], start)
    got = [
        (epoch(lo), epoch(hi))
        for lo, hi in cal.open_intervals(from_epoch(start), from_epoch(start + span))
    ]
    assert got == oracle.open_intervals(start, start + span)


@PROPERTY_SETTINGS
@given(
    scenario=scenarios(),
    micros=st.integers(0, 999_999),
    duration=st.timedeltas(dt.timedelta(0), dt.timedelta(hours=60)),
)
def test_elapsed_of_add_is_the_duration(
    scenario: tuple[CalendarSpec, int], micros: int, duration: dt.timedelta
) -> None:
    spec, start = scenario
    cal = engine_for(spec)
    at = from_epoch(start) + dt.timedelta(microseconds=micros)
    due = cal.add(at, duration)
    assert due >= at
    assert cal.elapsed(at, due) == duration
    if duration:
        # Earliest such instant: a moment earlier, less open time has passed.
        assert cal.elapsed(at, due - dt.timedelta(microseconds=1)) < duration


@PROPERTY_SETTINGS
@given(
    scenario=scenarios(),
    later=st.integers(0, 2 * 86_400),
    d1=durations,
    d2=durations,
)
def test_add_is_monotone_in_start_and_duration(
    scenario: tuple[CalendarSpec, int], later: int, d1: int, d2: int
) -> None:
    spec, start = scenario
    cal = engine_for(spec)
    small, big = sorted((d1, d2))
    s1, s2 = from_epoch(start), from_epoch(start + later)
    assert cal.add(s1, dt.timedelta(seconds=small)) <= cal.add(s2, dt.timedelta(seconds=small))
    assert cal.add(s1, dt.timedelta(seconds=small)) <= cal.add(s1, dt.timedelta(seconds=big))


@PROPERTY_SETTINGS
@given(
    spec=usable_specs,
    starts=st.lists(instants, min_size=1, max_size=20),
    seconds=st.lists(durations, min_size=20, max_size=20),
    spans=st.lists(st.integers(-86_400, 14 * 86_400), min_size=20, max_size=20),
)
def test_batch_forms_equal_the_scalar_forms(
    spec: CalendarSpec, starts: list[int], seconds: list[int], spans: list[int]
) -> None:
    cal = engine_for(spec)
    n = len(starts)
    starts_arr = np.array(starts, dtype=np.int64)
    due = cal.add_batch(starts_arr, np.array(seconds[:n], dtype=np.int64))
    ends = starts_arr + np.array(spans[:n], dtype=np.int64)
    elapsed = cal.elapsed_batch(starts_arr, ends)
    for i, t in enumerate(starts):
        assert due[i] == epoch(cal.add(from_epoch(t), dt.timedelta(seconds=seconds[i])))
        assert elapsed[i] == cal.elapsed(from_epoch(t), from_epoch(int(ends[i]))).total_seconds()


@PROPERTY_SETTINGS
@given(
    first=calendar_specs(name="a"),
    second=calendar_specs(name="b"),
    start=instants,
    queries=st.lists(st.tuples(st.integers(0, 3 * 86_400), durations), min_size=1, max_size=4),
)
def test_union_is_open_whenever_a_member_is(
    first: CalendarSpec, second: CalendarSpec, start: int, queries: list[tuple[int, int]]
) -> None:
    union = CalendarSpec(name="u", zone="UTC", union_of=("a", "b"))
    cals = build_calendars({"a": first, "b": second, "u": union})
    if not (usable(first) or usable(second)):
        return
    oracle = CalendarOracle([first, second], start)
    for offset, seconds in queries:
        t = start + offset
        assert cals["u"].is_open(from_epoch(t)) == oracle.is_open(t)
        assert epoch(cals["u"].add(from_epoch(t), dt.timedelta(seconds=seconds))) == oracle.add(
            t, seconds
        )


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(spec=calendar_specs(), year=st.sampled_from([2026, 2027, 2028]))
def test_holiday_list_agrees_with_the_oracle(spec: CalendarSpec, year: int) -> None:
    cal, days = engine_for(spec), DayOracle(spec)
    deciding: dict[dt.date, tuple[str, str]] = {}
    for holiday in cal.holidays(year):
        deciding.setdefault(holiday.date, (holiday.name, holiday.source.value))
    expected = {}
    day = dt.date(year, 1, 1)
    while day.year == year:
        found = days.holiday_on(day)
        if found is not None:
            expected[day] = found[:2]
        assert cal.day_hours(day) == days.hours(day)
        day += dt.timedelta(days=1)
    assert deciding == expected
