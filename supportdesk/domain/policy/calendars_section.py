"""The ``calendars`` section of a policy file: weekly hours and holiday rules."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import re
import zoneinfo
from collections.abc import Mapping
from typing import Any

from supportdesk.domain.calendars.errors import CalendarSpecError
from supportdesk.domain.calendars.ics import ReducedRule, holidays_from_ics
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
from supportdesk.domain.policy.reader import Reader

_INTERVAL = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _parse_interval(r: Reader, path: str, raw: Any) -> TimeInterval | None:
    if not isinstance(raw, str) or not (m := _INTERVAL.match(raw.strip())):
        r.fail(path, f"must be an interval like '09:00-17:00', not {raw!r}")
        return None
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    start, end = h1 * 3600 + m1 * 60, h2 * 3600 + m2 * 60
    if h1 > 23 or m1 > 59 or m2 > 59 or end > DAY_SECONDS:
        r.fail(path, f"{raw!r} is not a time of day (an interval may end at 24:00 at the latest)")
        return None
    if end <= start:
        r.fail(path, f"{raw!r} ends before it starts (use two intervals to cross midnight)")
        return None
    return TimeInterval(start, end)


def _day_hours(r: Reader, path: str, raw: Any) -> DayHours:
    if raw == "closed" or raw is None:
        return ()
    if not isinstance(raw, list):
        r.fail(path, "must be a list of intervals like ['09:00-17:00'] or 'closed'")
        return ()
    parsed = [iv for i, x in enumerate(raw) if (iv := _parse_interval(r, f"{path}[{i}]", x))]
    parsed.sort(key=lambda iv: iv.start)
    for a, b in itertools.pairwise(parsed):
        if b.start < a.end:
            r.fail(path, f"intervals {a} and {b} overlap")
    return tuple(parsed)


def _holiday_date(r: Reader, path: str, item: Mapping[str, Any]) -> HolidayDate | None:
    kinds = [k for k in ("fixed", "nth_weekday", "offset", "easter", "date") if k in item]
    if len(kinds) != 1:
        r.fail(path, "needs exactly one of: fixed, nth_weekday, offset, easter, date")
        return None
    kind = kinds[0]
    where = f"{path}.{kind}"
    if kind == "date":
        value = item["date"]
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = dt.date.fromisoformat(value)
        if not isinstance(value, dt.date):
            r.fail(where, "must be a date like 2027-03-01")
            return None
        return OneOff(value)
    spec = r.mapping(item[kind], where)
    if spec is None:
        return None
    if kind == "fixed":
        month, day = r.get(spec, "month", where, int), r.get(spec, "day", where, int)
        observed_raw = r.get(spec, "observed", where, str, default="none")
        try:
            observed = Observed(observed_raw)
        except ValueError:
            r.fail(f"{where}.observed", f"one of: {', '.join(Observed)}")
            observed = Observed.NONE
        if month is None or day is None:
            return None
        try:
            dt.date(2024, month, day)  # a leap year, so 02-29 is accepted
        except ValueError:
            r.fail(where, f"month {month} has no day {day}")
            return None
        return FixedDate(month, day, observed)
    if kind == "nth_weekday":
        month, n = r.get(spec, "month", where, int), r.get(spec, "n", where, int)
        weekday = _weekday(r, f"{where}.weekday", r.get(spec, "weekday", where, str))
        if month is not None and not 1 <= month <= 12:
            r.fail(f"{where}.month", "must be 1-12")
        if n is not None and n not in (-1, 1, 2, 3, 4, 5):
            r.fail(f"{where}.n", "must be 1-5, or -1 for the last")
        if month is None or n is None or weekday is None:
            return None
        return NthWeekday(month, weekday, n)
    if kind == "offset":
        source, days = r.get(spec, "from", where, str), r.get(spec, "days", where, int)
        if source is None or days is None:
            return None
        return OffsetFrom(source, days)
    days = r.get(spec, "days", where, int)
    return EasterOffset(days) if days is not None else None


def _weekday(r: Reader, path: str, raw: str | None) -> Weekday | None:
    if raw is None:
        return None
    if raw.lower() not in _DAYS:
        r.fail(path, f"one of: {', '.join(_DAYS)}")
        return None
    return Weekday(_DAYS.index(raw.lower()))


def _calendar(r: Reader, name: str, path: str, item: Mapping[str, Any]) -> CalendarSpec:
    r.unknown_keys(
        item, {"zone", "hours", "holidays", "import_holidays", "always_open", "union_of"}, path
    )
    zone = _zone(r, path, item)
    hours = r.get(item, "hours", path, dict, default={}) or {}
    for day in hours:
        if day not in _DAYS:
            r.fail(f"{path}.hours.{day}", f"not a weekday (one of: {', '.join(_DAYS)})")
    weekly = tuple(_day_hours(r, f"{path}.hours.{d}", hours.get(d)) for d in _DAYS)
    rules = _holidays(r, path, item)
    imported, dated = _imports(r, path, item, zone or "UTC")
    union = tuple(str(x) for x in r.get(item, "union_of", path, list, default=[]) or [])
    always = bool(r.get(item, "always_open", path, bool, default=False))
    # A calendar open only on listed dates is open: its dated openings say when.
    openings = any(h.hours and h.opens_closed_day for h in (*rules, *dated))
    if not always and not union and not any(weekly) and not openings:
        r.fail(
            f"{path}.hours",
            "the calendar is never open (set hours, always_open, union_of, "
            "or holidays with hours and opens_closed_day)",
        )
    return CalendarSpec(
        name=name,
        zone=zone or "UTC",
        weekly=weekly,
        holidays=tuple(rules),
        imported=imported,
        dated=dated,
        always_open=always,
        union_of=union,
    )


def _zone(r: Reader, path: str, item: Mapping[str, Any]) -> str | None:
    """The calendar's IANA zone, checked against this machine's zone database."""
    zone: str | None = r.get(item, "zone", path, str)
    if zone is not None:
        try:
            zoneinfo.ZoneInfo(zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            r.fail(
                f"{path}.zone",
                f"unknown time zone {zone!r} (use an IANA name like Europe/Stockholm)",
            )
    return zone


def _holidays(r: Reader, path: str, item: Mapping[str, Any]) -> list[HolidayRule]:
    """The calendar's own holiday rules; an ``offset`` must name one of them."""
    rules: list[HolidayRule] = []
    for hpath, raw in r.items(item, "holidays", path, required=False):
        h = r.mapping(raw, hpath)
        if h is None:
            continue
        r.unknown_keys(
            h,
            {
                "name",
                "fixed",
                "nth_weekday",
                "offset",
                "easter",
                "date",
                "hours",
                "opens_closed_day",
            },
            hpath,
        )
        hname = r.get(h, "name", hpath, str) or ""
        if any(x.name == hname for x in rules):
            r.fail(f"{hpath}.name", f"holiday {hname!r} is defined twice")
        when = _holiday_date(r, hpath, h)
        if "hours" not in h:
            r.fail(f"{hpath}.hours", "is required: 'closed' or a list of intervals")
        if when is not None:
            rules.append(
                HolidayRule(
                    name=hname,
                    when=when,
                    hours=_day_hours(r, f"{hpath}.hours", h.get("hours")),
                    opens_closed_day=bool(r.get(h, "opens_closed_day", hpath, bool, default=False)),
                )
            )
    names = {x.name for x in rules}
    for i, rule in enumerate(rules):
        if isinstance(rule.when, OffsetFrom) and rule.when.rule not in names:
            r.fail(f"{path}.holidays[{i}].offset.from", f"no holiday named {rule.when.rule!r}")
    return rules


def _imports(
    r: Reader, path: str, item: Mapping[str, Any], zone: str
) -> tuple[ImportedHolidays | None, tuple[HolidayRule, ...]]:
    """A country's public holidays (``country``) and an iCalendar file's dated holidays
    (``ics``: where it came from; ``ics_data``: its text, filled in when the policy is
    read from disk, so the stored version holds the events it was loaded with)."""
    raw = r.get(item, "import_holidays", path, dict, default=None)
    if raw is None:
        return None, ()
    ipath = f"{path}.import_holidays"
    keys = {"country", "subdivision", "exclude", "ics", "ics_data", "reduced"}
    r.unknown_keys(raw, keys, ipath)
    imported = None
    country = r.get(raw, "country", ipath, str, default=None)
    if country is not None:
        exclude = r.get(raw, "exclude", ipath, list, default=[]) or []
        imported = ImportedHolidays(
            country=country,
            subdivision=r.get(raw, "subdivision", ipath, str, default=None),
            exclude=frozenset(str(x) for x in exclude),
        )
    elif "ics" not in raw:
        r.fail(ipath, "needs country (public holidays) or ics (an iCalendar file or URL)")
    if "ics" not in raw:
        return imported, ()
    data = r.get(raw, "ics_data", ipath, str, default=None)
    if data is None:
        r.fail(f"{ipath}.ics", "the calendar file was not read (use supportdesk policy check/load)")
        return imported, ()
    reduced = []
    for rpath, rule in r.items(raw, "reduced", ipath, required=False):
        m = r.mapping(rule, rpath)
        if m is not None:
            r.unknown_keys(m, {"match", "hours"}, rpath)
            match = r.get(m, "match", rpath, str) or ""
            reduced.append(ReducedRule(match, _day_hours(r, f"{rpath}.hours", m.get("hours"))))
    try:
        return imported, holidays_from_ics(data, zone=zone, reduced=reduced, path=f"{ipath}.ics")
    except CalendarSpecError as exc:
        r.fail(exc.path, exc.reason)
        return imported, ()


def read_calendars(r: Reader, top: Mapping[str, Any]) -> dict[str, CalendarSpec]:
    raw = r.get(top, "calendars", "", dict) or {}
    out: dict[str, CalendarSpec] = {}
    for name, item in raw.items():
        path = f"calendars.{name}"
        mapping = r.mapping(item, path)
        if mapping is not None:
            out[str(name)] = _calendar(r, str(name), path, mapping)
    for name, spec in out.items():
        for i, other in enumerate(spec.union_of):
            if other not in out:
                r.fail(f"calendars.{name}.union_of[{i}]", f"unknown calendar {other!r}")
            elif out[other].union_of:
                r.fail(f"calendars.{name}.union_of[{i}]", "a union may not contain another union")
    return out


def check_calendar(r: Reader, path: str, name: str | None, calendars: Mapping[str, Any]) -> None:
    if name is not None and calendars and name not in calendars:
        r.fail(path, f"unknown calendar {name!r} (defined: {', '.join(sorted(calendars))})")
