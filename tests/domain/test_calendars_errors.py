"""What the calendar engine refuses, and how it says so."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from supportdesk.domain.calendars import (
    BusinessCalendar,
    CalendarSpecError,
    HolidayRuleCycleError,
    NaiveDatetimeError,
    NegativeDurationError,
    NeverOpensError,
    OutOfRangeError,
    build_calendar,
    build_calendars,
)
from supportdesk.domain.calendars.spec import (
    CalendarSpec,
    FixedDate,
    HolidayRule,
    ImportedHolidays,
    OffsetFrom,
    OneOff,
    TimeInterval,
)
from supportdesk.domain.errors import DomainError
from tests.domain.calendar_oracle import CLOSED, hours, ny

WEEKDAYS = (hours("09:00-17:00"),) * 5 + (CLOSED, CLOSED)


def test_naive_datetimes_are_refused(support: BusinessCalendar) -> None:
    naive = dt.datetime(2026, 3, 2, 9)  # noqa: DTZ001 - the point of the test
    with pytest.raises(NaiveDatetimeError):
        support.is_open(naive)
    with pytest.raises(ValueError, match="no time zone"):
        support.add(naive, dt.timedelta(hours=1))
    with pytest.raises(NaiveDatetimeError):
        support.elapsed(ny(2026, 3, 2), naive)


def test_negative_durations_are_refused(support: BusinessCalendar) -> None:
    with pytest.raises(NegativeDurationError):
        support.add(ny(2026, 3, 2), dt.timedelta(seconds=-1))
    with pytest.raises(NegativeDurationError):
        support.add_batch(np.array([0], dtype=np.int64), np.array([-1], dtype=np.int64))


def test_a_calendar_that_never_opens_raises_instead_of_searching_forever() -> None:
    cal = build_calendar(CalendarSpec(name="never", zone="UTC"))
    with pytest.raises(NeverOpensError, match="never"):
        cal.next_open(ny(2026, 3, 2))
    with pytest.raises(NeverOpensError):
        cal.add(ny(2026, 3, 2), dt.timedelta(hours=1))
    assert cal.next_close(ny(2026, 3, 2)) == ny(2026, 3, 2)
    assert cal.elapsed(ny(2026, 1, 1), ny(2027, 1, 1)) == dt.timedelta(0)


def test_open_time_running_out_after_a_one_off_raises() -> None:
    spec = CalendarSpec(
        name="pop_up",
        zone="UTC",
        holidays=(
            HolidayRule(
                "Launch day",
                OneOff(dt.date(2026, 5, 1)),
                hours("09:00-10:00"),
                opens_closed_day=True,
            ),
        ),
    )
    cal = build_calendar(spec)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert cal.add(start, dt.timedelta(hours=1)) == dt.datetime(2026, 5, 1, 10, tzinfo=dt.UTC)
    with pytest.raises(NeverOpensError):
        cal.add(start, dt.timedelta(hours=2))


def test_offset_rules_in_a_cycle_are_refused() -> None:
    spec = CalendarSpec(
        name="s",
        zone="UTC",
        weekly=WEEKDAYS,
        holidays=(
            HolidayRule("A", OffsetFrom("B", 1)),
            HolidayRule("B", OffsetFrom("A", 1)),
        ),
    )
    cal = build_calendar(spec)
    with pytest.raises(HolidayRuleCycleError, match="A -> B -> A") as raised:
        cal.holidays(2026)
    assert isinstance(raised.value, DomainError)
    assert raised.value.field == "calendars.s.holidays.A"


def test_offset_from_an_unknown_rule_is_refused() -> None:
    spec = CalendarSpec(
        name="s", zone="UTC", weekly=WEEKDAYS, holidays=(HolidayRule("A", OffsetFrom("Z", 1)),)
    )
    with pytest.raises(CalendarSpecError, match="unknown holiday 'Z'"):
        build_calendar(spec).is_open(ny(2026, 3, 2))


def test_an_impossible_fixed_date_is_refused() -> None:
    spec = CalendarSpec(
        name="s", zone="UTC", weekly=WEEKDAYS, holidays=(HolidayRule("A", FixedDate(4, 31)),)
    )
    with pytest.raises(CalendarSpecError, match="no date 04-31"):
        build_calendar(spec).holidays(2026)


def test_february_29_is_a_holiday_in_leap_years_only() -> None:
    spec = CalendarSpec(
        name="s", zone="UTC", weekly=WEEKDAYS, holidays=(HolidayRule("Leap", FixedDate(2, 29)),)
    )
    cal = build_calendar(spec)
    assert [h.date for h in cal.holidays(2028)] == [dt.date(2028, 2, 29)]
    assert cal.holidays(2027) == []


def test_an_unknown_country_is_refused() -> None:
    spec = CalendarSpec(name="s", zone="UTC", weekly=WEEKDAYS, imported=ImportedHolidays("XX"))
    with pytest.raises(CalendarSpecError, match="imported"):
        build_calendar(spec).holidays(2026)


def test_bad_specs_are_refused_when_built() -> None:
    with pytest.raises(CalendarSpecError, match="unknown time zone"):
        build_calendar(CalendarSpec(name="s", zone="Mars/Olympus", weekly=WEEKDAYS))
    with pytest.raises(CalendarSpecError, match="seven days"):
        build_calendar(CalendarSpec(name="s", zone="UTC", weekly=WEEKDAYS[:6]))
    overlapping = (TimeInterval(0, 7200), TimeInterval(3600, 9000))
    with pytest.raises(CalendarSpecError, match="overlap"):
        build_calendar(CalendarSpec(name="s", zone="UTC", weekly=(overlapping,) * 7))
    with pytest.raises(CalendarSpecError, match="bad interval"):
        build_calendar(CalendarSpec(name="s", zone="UTC", weekly=((TimeInterval(0, 90_000),),) * 7))


def test_unions_must_name_known_calendars_without_cycles() -> None:
    with pytest.raises(CalendarSpecError, match="unknown calendar 'nope'"):
        build_calendars({"u": CalendarSpec(name="u", zone="UTC", union_of=("nope",))})
    with pytest.raises(CalendarSpecError, match="cycle"):
        build_calendars(
            {
                "a": CalendarSpec(name="a", zone="UTC", union_of=("b",)),
                "b": CalendarSpec(name="b", zone="UTC", union_of=("a",)),
            }
        )
    with pytest.raises(CalendarSpecError, match="build_calendars"):
        build_calendar(CalendarSpec(name="u", zone="UTC", union_of=("a",)))


def test_instants_beyond_the_supported_years_are_refused(support: BusinessCalendar) -> None:
    with pytest.raises(OutOfRangeError):
        support.is_open(dt.datetime(9999, 6, 1, tzinfo=dt.UTC))


def test_batches_must_have_matching_shapes(support: BusinessCalendar) -> None:
    with pytest.raises(ValueError, match="same shape"):
        support.elapsed_batch(np.zeros(2, dtype=np.int64), np.zeros(3, dtype=np.int64))
    assert support.add_batch(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)).size == 0


def test_batches_on_a_calendar_that_never_opens() -> None:
    cal = build_calendar(CalendarSpec(name="never", zone="UTC"))
    starts = np.array([1_780_000_000], dtype=np.int64)
    assert list(cal.add_batch(starts, np.zeros(1, dtype=np.int64))) == [1_780_000_000]
    assert list(cal.elapsed_batch(starts, starts + 86_400)) == [0]
    with pytest.raises(NeverOpensError):
        cal.add_batch(starts, np.ones(1, dtype=np.int64))
