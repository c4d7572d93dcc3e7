"""Holidays to and from iCalendar (issue 22): the export re-imports to the same
holidays; a hand-written feed with all-day and timed events; dated openings."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supportdesk.domain.calendars import BusinessCalendar, CalendarSpecError, build_calendar
from supportdesk.domain.calendars.ics import ReducedRule, holidays_from_ics, holidays_ics
from supportdesk.domain.calendars.spec import (
    CalendarSpec,
    FixedDate,
    HolidayRule,
    NthWeekday,
    Observed,
    OffsetFrom,
    OneOff,
    Weekday,
)
from supportdesk.domain.errors import PolicyError
from supportdesk.domain.policy import load_policy_text
from tests.domain.calendar_oracle import REDUCED, hours, ny, partner_services_spec

YEARS = (2026, 2027)


def reimported(spec: CalendarSpec, years: tuple[int, ...]) -> BusinessCalendar:
    text = holidays_ics(build_calendar(spec), years)
    dated = holidays_from_ics(text, zone=spec.zone, path="ics")
    return build_calendar(replace(spec, holidays=(), imported=None, dated=dated))


def same_days(a: BusinessCalendar, b: BusinessCalendar, years: tuple[int, ...]) -> None:
    for year in years:
        assert [(h.date, h.name, h.hours, h.opens_closed_day) for h in a.holidays(year)] == [
            (h.date, h.name, h.hours, h.opens_closed_day) for h in b.holidays(year)
        ]
        day = dt.date(year, 1, 1)
        while day.year == year:
            assert a.day_hours(day) == b.day_hours(day), day
            day += dt.timedelta(days=1)


def test_the_partner_services_holidays_reimport_to_the_same_calendar() -> None:
    spec = partner_services_spec()
    again = reimported(spec, YEARS)
    same_days(build_calendar(spec), again, YEARS)
    start = ny(2026, 11, 25, 19)
    assert again.add(start, dt.timedelta(hours=24)) == build_calendar(spec).add(
        start, dt.timedelta(hours=24)
    )


_rules = st.lists(
    st.one_of(
        st.builds(
            FixedDate,
            st.integers(1, 12),
            st.integers(1, 28),
            st.sampled_from(list(Observed)),
        ),
        st.builds(
            NthWeekday, st.integers(1, 12), st.sampled_from(list(Weekday)), st.integers(1, 4)
        ),
        st.builds(OneOff, st.dates(dt.date(2026, 1, 1), dt.date(2027, 12, 31))),
    ),
    max_size=6,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    whens=_rules,
    reduced=st.lists(st.booleans(), min_size=6, max_size=6),
    opens=st.lists(st.booleans(), min_size=6, max_size=6),
)
def test_any_exported_holidays_reimport_to_the_same_days(
    whens: list[FixedDate | NthWeekday | OneOff], reduced: list[bool], opens: list[bool]
) -> None:
    rules = tuple(
        HolidayRule(f"h{i}", when, REDUCED if reduced[i] else (), opens[i])
        for i, when in enumerate(whens)
    )
    spec = replace(partner_services_spec(), holidays=rules)
    same_days(build_calendar(spec), reimported(spec, YEARS), YEARS)


HAND_WRITTEN = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//hand//written//EN
BEGIN:VEVENT
UID:1
DTSTART;VALUE=DATE:20271224
DTEND;VALUE=DATE:20271226
SUMMARY:Christmas break
END:VEVENT
BEGIN:VEVENT
UID:2
DTSTART;VALUE=DATE:20271126
SUMMARY:Black Friday (reduced)
END:VEVENT
BEGIN:VEVENT
UID:3
DTSTART;TZID=America/New_York:20271128T120000
DTEND;TZID=America/New_York:20271128T160000
SUMMARY:Sunday launch support
END:VEVENT
BEGIN:VEVENT
UID:4
DTSTART:20271129T140000Z
DTEND:20271129T180000Z
SUMMARY:Short Monday
END:VEVENT
END:VCALENDAR
"""


def test_a_hand_written_feed_with_all_day_and_timed_events() -> None:
    rules = holidays_from_ics(
        HAND_WRITTEN,
        zone="America/New_York",
        reduced=[ReducedRule("reduced", hours("10:00-18:00"))],
        path="ics",
    )
    assert [(r.when, r.name, r.hours, r.opens_closed_day) for r in rules] == [
        (OneOff(dt.date(2027, 11, 26)), "Black Friday (reduced)", hours("10:00-18:00"), False),
        (OneOff(dt.date(2027, 11, 28)), "Sunday launch support", hours("12:00-16:00"), True),
        (OneOff(dt.date(2027, 11, 29)), "Short Monday", hours("09:00-13:00"), True),
        (OneOff(dt.date(2027, 12, 24)), "Christmas break", (), False),
        (OneOff(dt.date(2027, 12, 25)), "Christmas break", (), False),
    ]
    cal = build_calendar(replace(partner_services_spec(), holidays=(), dated=rules))
    assert cal.day_hours(dt.date(2027, 11, 28)) == hours("12:00-16:00")  # a Sunday opened
    assert cal.day_hours(dt.date(2027, 12, 24)) == ()


def test_recurring_events_and_garbage_are_refused_with_the_path() -> None:
    recurring = HAND_WRITTEN.replace("UID:1\n", "UID:1\nRRULE:FREQ=YEARLY\n")
    with pytest.raises(CalendarSpecError) as caught:
        holidays_from_ics(recurring, zone="UTC", path="calendars.x.import_holidays.ics")
    assert caught.value.path == "calendars.x.import_holidays.ics.events[0]"
    with pytest.raises(CalendarSpecError):
        holidays_from_ics("not a calendar", zone="UTC", path="ics")


DATE_ONLY = """
format: 1
id: pop-up
version: "1"
name: Pop-up support
default_region: x
severities: [{level: 1, name: Critical, definition: Down}]
request_types: []
triage: {questions: [], rules: [], default: {severity: 1, reason: All}}
calendars:
  events:
    zone: Europe/Stockholm
    holidays:
      - {name: Launch day, date: 2027-03-01, hours: ["08:00-20:00"], opens_closed_day: true}
regions: [{key: x, name: X, calendar: events}]
sla: {targets: [{severity: 1, target: first_response, hours: 2, clock: events}]}
routing: {support_calendar: events}
"""


def test_a_calendar_open_only_on_listed_dates_passes_the_check() -> None:
    policy = load_policy_text(DATE_ONLY)
    cal = build_calendar(policy.calendars["events"])
    start = dt.datetime(2027, 2, 1, tzinfo=dt.UTC)
    assert cal.add(start, dt.timedelta(hours=2)) == dt.datetime(2027, 3, 1, 9, tzinfo=dt.UTC)


def test_a_calendar_without_any_opening_is_still_refused() -> None:
    with pytest.raises(PolicyError) as caught:
        load_policy_text(DATE_ONLY.replace("opens_closed_day: true", "opens_closed_day: false"))
    assert "the calendar is never open" in str(caught.value)


def test_a_policy_with_a_feed_not_yet_read_says_so() -> None:
    text = DATE_ONLY.replace("    holidays:", "    import_holidays: {ics: feed.ics}\n    holidays:")
    with pytest.raises(PolicyError) as caught:
        load_policy_text(text)
    assert [p.path for p in caught.value.problems] == ["calendars.events.import_holidays.ics"]


def test_offset_rules_export_as_plain_dates() -> None:
    spec = replace(
        partner_services_spec(),
        holidays=(
            HolidayRule("Thanksgiving Day", NthWeekday(11, Weekday.THU, 4), ()),
            HolidayRule("Day after", OffsetFrom("Thanksgiving Day", 1), REDUCED),
        ),
    )
    again = reimported(spec, (2027,))
    assert [(h.date, h.name) for h in again.holidays(2027)] == [
        (dt.date(2027, 11, 25), "Thanksgiving Day"),
        (dt.date(2027, 11, 26), "Day after"),
    ]
