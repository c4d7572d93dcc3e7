"""Named requirement cases for business calendars (HRS-1..4, RSP-1/2), pinned by hand."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from supportdesk.domain.calendars import (
    BusinessCalendar,
    HolidaySource,
    build_calendar,
)
from supportdesk.domain.calendars.spec import (
    CalendarSpec,
    FixedDate,
    HolidayRule,
    ImportedHolidays,
    NthWeekday,
    Weekday,
)
from supportdesk.domain.policy import load_policy_text
from tests.conftest import policy_text
from tests.domain.calendar_oracle import (
    CLOSED,
    REDUCED,
    STOCKHOLM,
    epoch,
    hours,
    ny,
    partner_services_spec,
    utc,
)

H = dt.timedelta(hours=1)


def open_spans(cal: BusinessCalendar, start: dt.datetime, end: dt.datetime) -> list[str]:
    """Open intervals as local 'HH:MM-HH:MM' strings on the calendar's clock."""
    return [
        f"{lo.astimezone(cal.zone):%a %H:%M}-{hi.astimezone(cal.zone):%H:%M}"
        for lo, hi in cal.open_intervals(start, end)
    ]


# HRS-1: weekly hours.


def test_hrs1_policy_file_support_calendar_is_the_reference_spec() -> None:
    policy = load_policy_text(policy_text("partner-services"))
    assert policy.calendars["support"] == partner_services_spec()


def test_hrs1_weekdays_open_nine_to_eight_eastern(support: BusinessCalendar) -> None:
    monday = ny(2026, 3, 2)
    assert not support.is_open(monday.replace(hour=8, minute=59, second=59))
    assert support.is_open(monday.replace(hour=9))
    assert support.is_open(monday.replace(hour=19, minute=59, second=59))
    assert not support.is_open(monday.replace(hour=20))
    assert open_spans(support, ny(2026, 3, 2), ny(2026, 3, 3)) == ["Mon 09:00-20:00"]


def test_hrs1_saturday_ten_to_six_and_sunday_closed(support: BusinessCalendar) -> None:
    assert open_spans(support, ny(2026, 3, 14), ny(2026, 3, 16)) == ["Sat 10:00-18:00"]
    assert support.next_open(ny(2026, 3, 14, 18)) == ny(2026, 3, 16, 9)


def test_hrs1_start_exactly_at_opening_counts_from_that_instant(
    support: BusinessCalendar,
) -> None:
    opening = ny(2026, 3, 3, 9)
    assert support.is_open(opening)
    assert support.next_open(opening) == opening
    assert support.add(opening, H) == ny(2026, 3, 3, 10)
    assert support.elapsed(opening, opening + dt.timedelta(seconds=1)) == dt.timedelta(seconds=1)


def test_hrs1_start_exactly_at_closing_counts_from_the_next_opening(
    support: BusinessCalendar,
) -> None:
    closing = ny(2026, 3, 3, 20)
    assert not support.is_open(closing)
    assert support.next_close(ny(2026, 3, 3, 19)) == closing
    assert support.next_close(closing) == closing
    assert support.next_open(closing) == ny(2026, 3, 4, 9)
    assert support.add(closing, H) == ny(2026, 3, 4, 10)
    assert support.elapsed(closing, ny(2026, 3, 4, 9)) == dt.timedelta(0)


# HRS-2: holidays.


def test_hrs2_holidays_of_2026_by_rule(support: BusinessCalendar) -> None:
    listed = [
        (h.date.isoformat(), h.name, str(h.hours[0]) if h.hours else "closed")
        for h in support.holidays(2026)
    ]
    assert listed == [
        ("2026-01-01", "New Year's Day", "closed"),
        ("2026-01-19", "Martin Luther King, Jr. Day", "10:00-18:00"),
        ("2026-02-16", "Presidents' Day", "10:00-18:00"),
        ("2026-05-25", "Memorial Day", "10:00-18:00"),
        ("2026-07-04", "Fourth of July", "10:00-18:00"),
        ("2026-09-07", "Labor Day", "10:00-18:00"),
        ("2026-11-26", "Thanksgiving Day", "closed"),
        ("2026-11-27", "Friday after Thanksgiving", "10:00-18:00"),
        ("2026-12-25", "Christmas Day", "closed"),
    ]
    assert {h.source for h in support.holidays(2026)} == {HolidaySource.POLICY}


def test_hrs2_thanksgiving_is_closed(support: BusinessCalendar) -> None:
    thanksgiving = dt.date(2026, 11, 26)
    assert support.day_hours(thanksgiving) == CLOSED
    assert not support.is_open(ny(2026, 11, 26, 12))
    assert support.next_open(ny(2026, 11, 25, 20)) == ny(2026, 11, 27, 10)
    # Wed 19:00 + 2 h: one hour on Wednesday, then Friday's reduced opening.
    assert support.add(ny(2026, 11, 25, 19), 2 * H) == ny(2026, 11, 27, 11)


def test_hrs2_friday_after_thanksgiving_has_reduced_hours(support: BusinessCalendar) -> None:
    assert support.day_hours(dt.date(2026, 11, 27)) == REDUCED
    assert not support.is_open(ny(2026, 11, 27, 9, 30))
    assert open_spans(support, ny(2026, 11, 27), ny(2026, 11, 28)) == ["Fri 10:00-18:00"]
    assert support.elapsed(ny(2026, 11, 27), ny(2026, 11, 28)) == 8 * H


def test_hrs2_reduced_hours_on_martin_luther_king_day(support: BusinessCalendar) -> None:
    assert open_spans(support, ny(2026, 1, 19), ny(2026, 1, 20)) == ["Mon 10:00-18:00"]


def test_hrs2_memorial_day_is_the_last_monday_of_may(support: BusinessCalendar) -> None:
    assert [h.date for h in support.holidays(2027) if h.name == "Memorial Day"] == [
        dt.date(2027, 5, 31)
    ]


def test_hrs2_fourth_of_july_on_a_saturday_keeps_its_reduced_hours_that_day(
    support: BusinessCalendar,
) -> None:
    assert dt.date(2026, 7, 4).weekday() == Weekday.SAT
    assert support.day_hours(dt.date(2026, 7, 4)) == REDUCED
    # No observed-day shift: Friday the 3rd keeps its normal hours.
    assert open_spans(support, ny(2026, 7, 3), ny(2026, 7, 6)) == [
        "Fri 09:00-20:00",
        "Sat 10:00-18:00",
    ]


def test_hrs2_fourth_of_july_on_a_sunday_stays_closed(support: BusinessCalendar) -> None:
    # opens_closed_day is false: holiday hours only replace existing hours.
    assert dt.date(2027, 7, 4).weekday() == Weekday.SUN
    assert support.day_hours(dt.date(2027, 7, 4)) == CLOSED
    assert open_spans(support, ny(2027, 7, 3), ny(2027, 7, 6)) == [
        "Sat 10:00-18:00",
        "Mon 09:00-20:00",
    ]


def test_hrs2_holiday_may_open_a_closed_day_when_the_rule_says_so() -> None:
    spec = CalendarSpec(
        name="s",
        zone="America/New_York",
        weekly=(hours("09:00-17:00"),) * 5 + (CLOSED, CLOSED),
        holidays=(HolidayRule("Sale day", FixedDate(7, 4), REDUCED, opens_closed_day=True),),
    )
    cal = build_calendar(spec)
    assert cal.day_hours(dt.date(2027, 7, 4)) == REDUCED
    assert cal.elapsed(ny(2027, 7, 4), ny(2027, 7, 5)) == 8 * H


def test_hrs2_new_years_eve_into_new_years_day(support: BusinessCalendar) -> None:
    # Thu 31 Dec 2026 normal hours; Fri 1 Jan 2027 closed; Sat 2 Jan 10:00-18:00.
    assert open_spans(support, ny(2026, 12, 31), ny(2027, 1, 4)) == [
        "Thu 09:00-20:00",
        "Sat 10:00-18:00",
    ]
    assert support.add(ny(2026, 12, 31, 19), 2 * H) == ny(2027, 1, 2, 11)
    assert support.elapsed(ny(2026, 12, 31, 19), ny(2027, 1, 2, 11)) == 2 * H
    assert support.next_open(ny(2026, 12, 31, 20)) == ny(2027, 1, 2, 10)


def test_hrs2_policy_rule_wins_over_an_imported_holiday_on_the_same_date() -> None:
    spec = CalendarSpec(
        name="emea",
        zone="Europe/Stockholm",
        weekly=(hours("08:00-17:00"),) * 5 + (CLOSED, CLOSED),
        holidays=(HolidayRule("Christmas Day (skeleton crew)", FixedDate(12, 25), REDUCED),),
        imported=ImportedHolidays("SE"),
    )
    cal = build_calendar(spec)
    christmas = [h for h in cal.holidays(2026) if h.date == dt.date(2026, 12, 25)]
    assert [(h.name, h.source) for h in christmas] == [
        ("Christmas Day (skeleton crew)", HolidaySource.POLICY)
    ]
    assert cal.day_hours(dt.date(2026, 12, 25)) == REDUCED


# HRS-3: regions, imported holidays, follow-the-sun gaps.


def test_hrs3_emea_closes_on_imported_swedish_holidays_except_excluded(
    regions: dict[str, BusinessCalendar],
) -> None:
    emea = regions["emea"]
    listed = {h.name: h for h in emea.holidays(2026)}
    assert listed["Good Friday"].date == dt.date(2026, 4, 3)
    assert listed["Good Friday"].source == HolidaySource.IMPORTED
    assert "Epiphany" not in listed  # excluded by name
    assert not emea.is_open(dt.datetime(2026, 4, 3, 12, tzinfo=STOCKHOLM))
    assert emea.is_open(dt.datetime(2026, 1, 6, 12, tzinfo=STOCKHOLM))  # Epiphany, a Tuesday


def test_hrs3_follow_the_sun_shows_the_uncovered_gap_moving_with_dst(
    regions: dict[str, BusinessCalendar],
) -> None:
    union = regions["follow_the_sun"]
    assert union.zone.key == "UTC"

    def spans(day: int) -> list[tuple[str, str]]:
        return [
            (f"{lo:%H:%M}", f"{hi:%H:%M}")
            for lo, hi in union.open_intervals(utc(2026, 3, day), utc(2026, 3, day + 1))
        ]

    # Both on standard time: EMEA 07:00-16:00 UTC, NA 13:00-22:00 UTC; gap 22:00-07:00.
    assert spans(2) == [("07:00", "22:00")]
    # US on summer time from 8 March, Europe not yet: gap 21:00-07:00.
    assert spans(10) == [("07:00", "21:00")]
    # Both on summer time from 29 March: gap 21:00-06:00.
    assert spans(30) == [("06:00", "21:00")]
    assert not union.is_open(utc(2026, 3, 10, 22))
    assert union.next_open(utc(2026, 3, 10, 22)) == utc(2026, 3, 11, 7)
    assert union.next_close(utc(2026, 3, 10, 12)) == utc(2026, 3, 10, 21)
    assert union.elapsed(utc(2026, 3, 9), utc(2026, 3, 14)) == 5 * 14 * H


# HRS-4: daylight-saving changes are exact.


def test_hrs4_spring_forward_weekend_counts_real_business_hours(
    support: BusinessCalendar,
) -> None:
    # Sun 8 Mar 2026 02:00 EST -> 03:00 EDT; Sunday is closed anyway.
    saturday_five = ny(2026, 3, 7, 17)
    due = support.add(saturday_five, 3 * H)
    assert due == ny(2026, 3, 9, 11)
    assert due == utc(2026, 3, 9, 15)  # EDT: UTC-4
    assert support.elapsed(saturday_five, due) == 3 * H


def test_hrs4_fall_back_weekend_counts_real_business_hours(support: BusinessCalendar) -> None:
    # Sun 1 Nov 2026 02:00 EDT -> 01:00 EST.
    due = support.add(ny(2026, 10, 31, 17), 3 * H)
    assert due == ny(2026, 11, 2, 11)
    assert due == utc(2026, 11, 2, 16)  # EST: UTC-5


def test_hrs4_around_the_clock_counts_real_elapsed_seconds_across_dst(
    around_the_clock: BusinessCalendar,
) -> None:
    assert around_the_clock.elapsed(ny(2026, 3, 8), ny(2026, 3, 9)) == 23 * H
    assert around_the_clock.elapsed(ny(2026, 11, 1), ny(2026, 11, 2)) == 25 * H
    assert around_the_clock.add(ny(2026, 3, 8, 1), 2 * H) == ny(2026, 3, 8, 4)
    # 00:30 EDT + 2 h is 01:30 EST, the second pass of 01:30 (PEP 495 makes a
    # fold=1 datetime unequal to every other zone's, so compare in UTC).
    due = around_the_clock.add(ny(2026, 11, 1, 0, 30), 2 * H)
    assert due == ny(2026, 11, 1, 1, 30, fold=1).astimezone(dt.UTC) == utc(2026, 11, 1, 6, 30)
    assert around_the_clock.next_close(ny(2026, 3, 8)) is None


def daily(span: str, zone: str = "America/New_York") -> BusinessCalendar:
    return build_calendar(CalendarSpec(name="daily", zone=zone, weekly=(hours(span),) * 7))


def test_hrs4_whole_day_hours_are_25_real_hours_on_the_fall_back_day() -> None:
    cal = daily("00:00-24:00")
    assert cal.elapsed(ny(2026, 11, 1), ny(2026, 11, 2)) == 25 * H
    assert cal.elapsed(ny(2026, 3, 8), ny(2026, 3, 9)) == 23 * H


def test_hrs4_hours_inside_the_repeated_hour_are_open_on_both_passes() -> None:
    cal = daily("01:00-01:30")
    assert [
        (f"{lo:%H:%M}", f"{hi:%H:%M}")
        for lo, hi in cal.open_intervals(ny(2026, 11, 1), ny(2026, 11, 2))
    ] == [
        ("05:00", "05:30"),  # 01:00-01:30 EDT
        ("06:00", "06:30"),  # 01:00-01:30 EST
    ]


def test_hrs4_boundary_in_the_spring_forward_gap_maps_forward() -> None:
    cal = daily("02:30-05:00")
    assert cal.open_intervals(ny(2026, 3, 8), ny(2026, 3, 9)) == [
        (ny(2026, 3, 8, 3), ny(2026, 3, 8, 5))
    ]
    assert cal.elapsed(ny(2026, 3, 8), ny(2026, 3, 9)) == 2 * H
    assert daily("02:10-02:50").open_intervals(ny(2026, 3, 8), ny(2026, 3, 9)) == []


def test_hrs4_hours_that_do_not_touch_the_transition_are_unaffected() -> None:
    cal = daily("09:00-20:00")
    assert cal.elapsed(ny(2026, 11, 1), ny(2026, 11, 2)) == 11 * H
    assert cal.elapsed(ny(2026, 3, 8), ny(2026, 3, 9)) == 11 * H


def test_hrs4_results_are_utc_and_convert_to_the_calendar_zone(
    support: BusinessCalendar,
) -> None:
    due = support.add(ny(2026, 3, 2, 9), H)
    assert due.tzinfo == dt.UTC
    assert due.astimezone(support.zone).hour == 10
    assert support.zone.key == "America/New_York"


def test_hrs4_microseconds_are_kept_exactly(support: BusinessCalendar) -> None:
    start = ny(2026, 3, 2, 19, 30).replace(microsecond=250_000)
    due = support.add(start, H)
    assert due == ny(2026, 3, 3, 9, 30).replace(microsecond=250_000)
    assert support.elapsed(start, due) == H


# RSP-1 / RSP-2: response targets.


def test_rsp1_sev1_twelve_hours_around_the_clock_from_sunday_three_am(
    around_the_clock: BusinessCalendar,
) -> None:
    assert around_the_clock.add(ny(2026, 3, 15, 3), 12 * H) == ny(2026, 3, 15, 15)
    # On the spring-forward Sunday too: 12 real hours, whatever the clock shows.
    assert around_the_clock.add(ny(2026, 3, 8, 3), 12 * H) == ny(2026, 3, 8, 15)
    assert around_the_clock.add(ny(2026, 3, 8, 0), 12 * H) == ny(2026, 3, 8, 13)


def test_rsp2_monday_nine_plus_eleven_business_hours_is_monday_eight_pm(
    support: BusinessCalendar,
) -> None:
    # A due time landing on a closing instant is that instant, not the next opening.
    assert support.add(ny(2026, 3, 2, 9), 11 * H) == ny(2026, 3, 2, 20)


def test_rsp2_twenty_four_business_hours_from_monday_nine_is_wednesday_eleven(
    support: BusinessCalendar,
) -> None:
    assert support.add(ny(2026, 3, 2, 9), 24 * H) == ny(2026, 3, 4, 11)


def test_rsp2_zero_duration_is_the_start_itself_even_when_closed(
    support: BusinessCalendar,
) -> None:
    sunday = ny(2026, 3, 1, 12)
    assert support.add(sunday, dt.timedelta(0)) == sunday


def test_rsp2_a_start_in_closed_time_counts_from_the_next_opening(
    support: BusinessCalendar,
) -> None:
    assert support.add(ny(2026, 3, 1, 12), 24 * H) == support.add(ny(2026, 3, 2, 9), 24 * H)


def test_rsp6_batch_forms_agree_with_the_scalar_forms(support: BusinessCalendar) -> None:
    starts = [ny(2026, 3, 2, 9), ny(2026, 11, 25, 19), ny(2026, 12, 31, 19), ny(2026, 3, 1, 12)]
    seconds = [11 * 3600, 2 * 3600, 24 * 3600, 0]
    due = support.add_batch(
        np.array([epoch(s) for s in starts], dtype=np.int64), np.array(seconds, dtype=np.int64)
    )
    assert list(due) == [
        epoch(support.add(s, dt.timedelta(seconds=d))) for s, d in zip(starts, seconds, strict=True)
    ]
    ends = np.array([epoch(s) + 3 * 86_400 for s in starts], dtype=np.int64)
    elapsed = support.elapsed_batch(np.array([epoch(s) for s in starts], dtype=np.int64), ends)
    assert list(elapsed) == [
        support.elapsed(s, s + dt.timedelta(days=3)).total_seconds() for s in starts
    ]


def test_nth_weekday_rules_skip_years_without_a_fifth_weekday() -> None:
    spec = CalendarSpec(
        name="s",
        zone="UTC",
        weekly=(hours("09:00-17:00"),) * 7,
        holidays=(HolidayRule("Fifth Friday", NthWeekday(4, Weekday.FRI, 5)),),
    )
    cal = build_calendar(spec)
    assert [h.date for h in cal.holidays(2027)] == [dt.date(2027, 4, 30)]
    assert cal.holidays(2026) == []


@pytest.mark.parametrize("zone", ["America/New_York", "Europe/Stockholm"])
def test_hrs2_new_years_day_observed_on_friday_lands_in_the_previous_year(zone: str) -> None:
    from supportdesk.domain.calendars.spec import Observed

    spec = CalendarSpec(
        name="s",
        zone=zone,
        weekly=(hours("09:00-17:00"),) * 5 + (CLOSED, CLOSED),
        holidays=(HolidayRule("New Year's Day", FixedDate(1, 1, Observed.NEAREST_WEEKDAY)),),
    )
    cal = build_calendar(spec)
    # 1 Jan 2028 is a Saturday: observed on Friday 31 December 2027.
    assert [h.date for h in cal.holidays(2027)] == [dt.date(2027, 1, 1), dt.date(2027, 12, 31)]
    assert cal.holidays(2028) == []
