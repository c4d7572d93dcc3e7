"""A business calendar's year as RFC 5545 (iCalendar), for Outlook and Google import."""

from __future__ import annotations

import datetime as dt

import icalendar

from supportdesk.domain.calendars import BusinessCalendar


def calendar_ics(cal: BusinessCalendar, year: int) -> bytes:
    """Holidays as all-day events and every open interval as a timed event (UTC).

    The output is deterministic (stable UIDs, DTSTAMP at the year's start), so
    re-importing the same year updates events instead of duplicating them.
    """
    stamp = dt.datetime(year, 1, 1, tzinfo=dt.UTC)
    out = icalendar.Calendar()
    out.add("prodid", "-//supportdesk//business calendar//EN")
    out.add("version", "2.0")
    out.add("calscale", "GREGORIAN")
    out.add("x-wr-calname", f"{cal.name} {year}")
    out.add("x-wr-timezone", cal.zone.key)
    for holiday in cal.holidays(year):
        event = icalendar.Event()
        hours = ", ".join(str(iv) for iv in holiday.hours) if holiday.hours else "closed"
        event.add("summary", f"{holiday.name} ({hours})")
        event.add("dtstart", holiday.date)
        event.add("dtend", holiday.date + dt.timedelta(days=1))
        event.add("dtstamp", stamp)
        event.add("uid", f"{cal.name}-holiday-{holiday.date.isoformat()}@supportdesk")
        event.add("transp", "TRANSPARENT")
        out.add_component(event)
    start = dt.datetime(year, 1, 1, tzinfo=cal.zone)
    end = dt.datetime(year + 1, 1, 1, tzinfo=cal.zone)
    for open_start, open_end in cal.open_intervals(start, end):
        event = icalendar.Event()
        event.add("summary", f"{cal.name}: open")
        event.add("dtstart", open_start.astimezone(dt.UTC))
        event.add("dtend", open_end.astimezone(dt.UTC))
        event.add("dtstamp", stamp)
        event.add(
            "uid", f"{cal.name}-open-{open_start.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}@supportdesk"
        )
        out.add_component(event)
    ical: bytes = out.to_ical()
    return ical
