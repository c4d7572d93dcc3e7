"""Holidays to and from iCalendar (RFC 5545), the way holiday feeds are shared (HRS-2).

Export (:func:`holidays_ics`): one all-day event per holiday that takes effect, named
after it, its hours in ``X-SUPPORTDESK-HOURS`` (``closed`` or ``10:00-18:00``) and
``X-SUPPORTDESK-OPENS-CLOSED-DAY`` when the rule may open a normally closed day.

Import (:func:`holidays_from_ics`), each event becomes a dated holiday rule:

* an all-day event closes every day it spans (``DTEND`` exclusive, one day when
  absent), unless it carries ``X-SUPPORTDESK-HOURS`` (what the export writes) or its
  summary contains the ``match`` text of one of the ``reduced`` rules, whose hours
  then apply instead;
* a timed event gives the day its own hours: support is open from its start to its
  end, read in the calendar's zone (a one-off opening, also on a normally closed
  day); it must start and end on the same local day;
* recurring events (``RRULE``) are refused: a feed lists each date.

So a calendar's exported holidays re-import to the same holidays: same dates, names,
hours and ``opens_closed_day`` (property-tested).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import icalendar

from .engine import BusinessCalendar
from .errors import CalendarSpecError
from .spec import DAY_SECONDS, DayHours, HolidayRule, OneOff, TimeInterval

HOURS_PROPERTY = "X-SUPPORTDESK-HOURS"
OPENS_PROPERTY = "X-SUPPORTDESK-OPENS-CLOSED-DAY"
_INTERVAL = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


@dataclass(frozen=True, slots=True)
class ReducedRule:
    """Events whose summary contains ``match`` (case-insensitive) get ``hours``."""

    match: str
    hours: DayHours


def holidays_ics(cal: BusinessCalendar, years: Iterable[int]) -> bytes:
    """The holidays of ``years`` as all-day events; deterministic (stable UIDs and
    DTSTAMP), so importing the same file twice updates rather than duplicates."""
    out = icalendar.Calendar()
    out.add("prodid", "-//supportdesk//holidays//EN")
    out.add("version", "2.0")
    out.add("x-wr-calname", f"{cal.name} holidays")
    out.add("x-wr-timezone", cal.zone.key)
    for year in years:
        for holiday in cal.holidays(year):
            event = icalendar.Event()
            event.add("summary", holiday.name)
            event.add("dtstart", holiday.date)
            event.add("dtend", holiday.date + dt.timedelta(days=1))
            event.add("dtstamp", dt.datetime(year, 1, 1, tzinfo=dt.UTC))
            event.add("uid", f"{cal.name}-{holiday.date.isoformat()}@supportdesk")
            event.add("transp", "TRANSPARENT")
            event.add(HOURS_PROPERTY, _format_hours(holiday.hours))
            if holiday.opens_closed_day:
                event.add(OPENS_PROPERTY, "TRUE")
            out.add_component(event)
    ical: bytes = out.to_ical()
    return ical


def holidays_from_ics(
    data: str | bytes, *, zone: str, reduced: Sequence[ReducedRule] = (), path: str
) -> tuple[HolidayRule, ...]:
    """The dated holiday rules an iCalendar text states, sorted by date.

    Raises :class:`CalendarSpecError` at ``path`` for text that is not iCalendar, an
    event without a start, a recurring event, a timed event crossing midnight, or
    hours that are not ``HH:MM-HH:MM`` intervals.
    """
    try:
        parsed = icalendar.Calendar.from_ical(data)
    except ValueError as exc:
        raise CalendarSpecError(path, f"not an iCalendar file: {exc}") from None
    local = ZoneInfo(zone)
    rules: list[HolidayRule] = []
    for i, event in enumerate(parsed.walk("VEVENT")):
        rules.extend(_event_rules(event, local, reduced, f"{path}.events[{i}]"))
    return tuple(sorted(rules, key=lambda r: _date(r)))


def _date(rule: HolidayRule) -> dt.date:
    assert isinstance(rule.when, OneOff)  # every rule built here is dated
    return rule.when.date


def _event_rules(
    event: icalendar.cal.Component, zone: ZoneInfo, reduced: Sequence[ReducedRule], path: str
) -> list[HolidayRule]:
    if "RRULE" in event:
        raise CalendarSpecError(path, "recurring events are not read: list each date")
    if "DTSTART" not in event:
        raise CalendarSpecError(path, "an event needs a start (DTSTART)")
    name = str(event.get("SUMMARY", "")).strip() or "Holiday"
    start = event.decoded("DTSTART")
    end = event.decoded("DTEND") if "DTEND" in event else None
    if isinstance(start, dt.datetime):
        return [_timed(name, start, end, zone, path)]
    days = 1 if end is None else max((end - start).days, 1)
    hours, opens = _all_day_hours(event, name, reduced, path)
    return [
        HolidayRule(name, OneOff(start + dt.timedelta(days=k)), hours, opens) for k in range(days)
    ]


def _all_day_hours(
    event: icalendar.cal.Component, name: str, reduced: Sequence[ReducedRule], path: str
) -> tuple[DayHours, bool]:
    opens = str(event.get(OPENS_PROPERTY, "")).strip().upper() == "TRUE"
    if HOURS_PROPERTY in event:
        return _parse_hours(str(event.get(HOURS_PROPERTY)), f"{path}.{HOURS_PROPERTY}"), opens
    for rule in reduced:
        if rule.match.casefold() in name.casefold():
            return rule.hours, opens
    return (), opens


def _timed(
    name: str, start: dt.datetime, end: dt.datetime | None, zone: ZoneInfo, path: str
) -> HolidayRule:
    if end is None or not isinstance(end, dt.datetime):
        raise CalendarSpecError(path, "a timed event needs an end (DTEND)")
    # A floating time (no zone) is read in the calendar's zone.
    lo = (start if start.tzinfo else start.replace(tzinfo=zone)).astimezone(zone)
    hi = (end if end.tzinfo else end.replace(tzinfo=zone)).astimezone(zone)
    day = lo.date()
    end_seconds = _seconds(hi) if hi.date() == day else DAY_SECONDS
    if hi.date() > day + dt.timedelta(days=1) or (hi.date() > day and _seconds(hi)):
        raise CalendarSpecError(path, "a timed event must end on the day it starts")
    if end_seconds <= _seconds(lo):
        raise CalendarSpecError(path, "a timed event must end after it starts")
    return HolidayRule(name, OneOff(day), (TimeInterval(_seconds(lo), end_seconds),), True)


def _seconds(t: dt.datetime) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def _format_hours(hours: DayHours) -> str:
    return ",".join(str(iv) for iv in hours) if hours else "closed"


def _parse_hours(raw: str, path: str) -> DayHours:
    if raw.strip().lower() == "closed":
        return ()
    out: list[TimeInterval] = []
    for part in raw.split(","):
        m = _INTERVAL.match(part.strip())
        if m is None:
            raise CalendarSpecError(path, f"{part.strip()!r} is not an interval like 10:00-18:00")
        h1, m1, h2, m2 = (int(g) for g in m.groups())
        interval = TimeInterval(h1 * 3600 + m1 * 60, h2 * 3600 + m2 * 60)
        if not 0 <= interval.start < interval.end <= DAY_SECONDS:
            raise CalendarSpecError(path, f"{part.strip()!r} is not a time span within a day")
        out.append(interval)
    return tuple(sorted(out, key=lambda iv: iv.start))
