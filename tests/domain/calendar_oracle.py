"""A brute-force business-calendar oracle, independent of the engine.

It reads the spec directly: for every UTC minute it asks ``zoneinfo`` for the local
clock reading, works out that local date's hours from the holiday rules with plain
``datetime`` arithmetic (no shared code with ``supportdesk.domain.calendars``), and
marks the minute open when the reading falls inside them. That is the engine's
definition of an open instant, checked one minute at a time. Business time is then
counted over the minute bitmap.

Requirements: every interval boundary is a whole minute and the zone's offsets and
transitions are whole minutes (true for the zones the tests use), so openness is
constant within each UTC minute. Instants are integer UTC epoch seconds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

import holidays as holidays_package
import numpy as np
from dateutil.easter import easter

from supportdesk.domain.calendars.spec import (
    CalendarSpec,
    DayHours,
    EasterOffset,
    FixedDate,
    HolidayRule,
    ImportedHolidays,
    NthWeekday,
    Observed,
    OffsetFrom,
    OneOff,
    TimeInterval,
    Weekday,
)

_CHUNK_MINUTES = 7 * 1440

# Reference specs shared by the tests and the benchmark.

NEW_YORK = ZoneInfo("America/New_York")
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def hours(*spans: str) -> DayHours:
    """``hours("09:00-20:00")`` -> the day's intervals."""
    result = []
    for span in spans:
        lo, hi = span.split("-")
        result.append(TimeInterval(_seconds(lo), _seconds(hi)))
    return tuple(result)


def _seconds(hhmm: str) -> int:
    hh, mm = hhmm.split(":")
    return int(hh) * 3600 + int(mm) * 60


REDUCED = hours("10:00-18:00")
CLOSED: DayHours = ()


def partner_services_spec() -> CalendarSpec:
    """The seed's support calendar, as ``policies/partner-services.yaml`` states it."""
    weekday = hours("09:00-20:00")
    return CalendarSpec(
        name="support",
        zone="America/New_York",
        weekly=(weekday, weekday, weekday, weekday, weekday, hours("10:00-18:00"), CLOSED),
        holidays=(
            HolidayRule("Martin Luther King, Jr. Day", NthWeekday(1, Weekday.MON, 3), REDUCED),
            HolidayRule("Presidents' Day", NthWeekday(2, Weekday.MON, 3), REDUCED),
            HolidayRule("Memorial Day", NthWeekday(5, Weekday.MON, -1), REDUCED),
            HolidayRule("Fourth of July", FixedDate(7, 4), REDUCED, opens_closed_day=False),
            HolidayRule("Labor Day", NthWeekday(9, Weekday.MON, 1), REDUCED),
            HolidayRule("Thanksgiving Day", NthWeekday(11, Weekday.THU, 4), CLOSED),
            HolidayRule("Friday after Thanksgiving", OffsetFrom("Thanksgiving Day", 1), REDUCED),
            HolidayRule("Christmas Day", FixedDate(12, 25), CLOSED),
            HolidayRule("New Year's Day", FixedDate(1, 1), CLOSED),
        ),
    )


def around_the_clock_spec() -> CalendarSpec:
    return CalendarSpec(name="around_the_clock", zone="America/New_York", always_open=True)


def region_specs() -> dict[str, CalendarSpec]:
    """EMEA and North America, 08:00-17:00 local on business days, and their union."""
    business = hours("08:00-17:00")
    weekly = (business,) * 5 + (CLOSED, CLOSED)
    return {
        "emea": CalendarSpec(
            name="emea",
            zone="Europe/Stockholm",
            weekly=weekly,
            imported=ImportedHolidays("SE", exclude=frozenset({"Epiphany"})),
        ),
        "north_america": CalendarSpec(name="north_america", zone="America/New_York", weekly=weekly),
        "follow_the_sun": CalendarSpec(
            name="follow_the_sun", zone="UTC", union_of=("emea", "north_america")
        ),
    }


def ny(
    year: int,
    month: int,
    day: int,
    hour: int = 0,
    minute: int = 0,
    second: int = 0,
    *,
    fold: int = 0,
) -> dt.datetime:
    """A New York wall time (``fold=1``: the second pass of a repeated hour)."""
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=NEW_YORK, fold=fold)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)


def epoch(t: dt.datetime) -> int:
    return int(t.timestamp())


def from_epoch(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


# The oracle.


def rule_dates_in(rule: HolidayRule, rules: Sequence[HolidayRule], year: int) -> set[dt.date]:
    """Every date in ``year`` on which ``rule`` falls, trying neighbouring base years."""
    found: set[dt.date] = set()
    for base in range(year - 2, year + 3):
        day = _rule_date(rule, rules, base)
        if day is not None and day.year == year:
            found.add(day)
    return found


def _rule_date(rule: HolidayRule, rules: Sequence[HolidayRule], base: int) -> dt.date | None:
    when = rule.when
    if isinstance(when, FixedDate):
        if (when.month, when.day) == (2, 29) and not _is_leap(base):
            return None
        day = dt.date(base, when.month, when.day)
        if when.observed == Observed.NEAREST_WEEKDAY:
            if day.isoweekday() == 6:
                day = day - dt.timedelta(days=1)
            elif day.isoweekday() == 7:
                day = day + dt.timedelta(days=1)
        elif when.observed == Observed.NEXT_MONDAY:
            while day.isoweekday() != 1 and day.isoweekday() in (6, 7):
                day = day + dt.timedelta(days=1)
        return day
    if isinstance(when, NthWeekday):
        days = [
            dt.date(base, when.month, d)
            for d in range(1, 32)
            if _valid(base, when.month, d)
            and dt.date(base, when.month, d).weekday() == when.weekday
        ]
        if when.n == -1:
            return days[-1]
        return days[when.n - 1] if when.n <= len(days) else None
    if isinstance(when, EasterOffset):
        return easter(base) + dt.timedelta(days=when.days)
    if isinstance(when, OneOff):
        return when.date if when.date.year == base else None
    if isinstance(when, OffsetFrom):
        ref = next(r for r in rules if r.name == when.rule)
        ref_day = _rule_date(ref, rules, base)
        return None if ref_day is None else ref_day + dt.timedelta(days=when.days)
    raise AssertionError(when)


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _valid(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


class DayOracle:
    """The hours of each local date of one (non-union) calendar spec."""

    def __init__(self, spec: CalendarSpec) -> None:
        self.spec = spec
        self._years: dict[int, dict[dt.date, tuple[str, str, HolidayRule | None]]] = {}

    def holiday_on(self, day: dt.date) -> tuple[str, str, HolidayRule | None] | None:
        """(name, source, rule) of the holiday deciding ``day``, if any."""
        if day.year not in self._years:
            self._years[day.year] = self._year(day.year)
        return self._years[day.year].get(day)

    def _year(self, year: int) -> dict[dt.date, tuple[str, str, HolidayRule | None]]:
        table: dict[dt.date, tuple[str, str, HolidayRule | None]] = {}
        for rule in self.spec.holidays:  # policy order: the first rule listed wins
            for day in rule_dates_in(rule, self.spec.holidays, year):
                table.setdefault(day, (rule.name, "policy", rule))
        imported = self.spec.imported
        if imported is not None:
            public = holidays_package.country_holidays(
                imported.country, subdiv=imported.subdivision, years=year
            )
            for day in public:
                names = [n for n in public.get_list(day) if n not in imported.exclude]
                if names and day.year == year:
                    table.setdefault(day, (names[0], "imported", None))
        return table

    def hours(self, day: dt.date) -> DayHours:
        if self.spec.always_open:
            raise AssertionError("use the 24/7 shortcut")
        normal = self.spec.weekly[day.weekday()]
        holiday = self.holiday_on(day)
        if holiday is None:
            return normal
        rule = holiday[2]
        if rule is None:
            return ()
        if not normal and not rule.opens_closed_day:
            return ()
        return rule.hours


class CalendarOracle:
    """Minute-by-minute open/closed state of a calendar, or of a union of calendars."""

    def __init__(self, specs: Sequence[CalendarSpec], start: int, *, max_days: int = 400) -> None:
        """``specs``: one spec, or the members of a union. ``start``: first instant asked.
        ``max_days``: how far the bitmap may grow before the oracle gives up."""
        self._max_minutes = max_days * 1440
        self._days = [(ZoneInfo(s.zone), None if s.always_open else DayOracle(s)) for s in specs]
        self.lo = start - start % 60 - 2 * 86_400
        self._open = np.zeros(0, dtype=np.int64)
        self._cum = np.zeros(1, dtype=np.int64)

    @property
    def hi(self) -> int:
        return self.lo + 60 * len(self._open)

    def _minute_open(self, minute: int) -> bool:
        for zone, days in self._days:
            if days is None:
                return True
            reading = dt.datetime.fromtimestamp(minute, zone)
            second_of_day = reading.hour * 3600 + reading.minute * 60 + reading.second
            for interval in days.hours(reading.date()):
                if interval.start <= second_of_day < interval.end:
                    return True
        return False

    def _extend_to(self, t: int) -> None:
        if t < self.lo:
            raise AssertionError(f"oracle asked about {t}, before its start {self.lo}")
        while t >= self.hi - 60:
            base = self.hi
            chunk = np.fromiter(
                (self._minute_open(base + 60 * k) for k in range(_CHUNK_MINUTES)),
                dtype=np.int64,
                count=_CHUNK_MINUTES,
            )
            self._open = np.concatenate([self._open, chunk])
            self._cum = np.concatenate([[0], np.cumsum(self._open)])
            if len(self._open) > self._max_minutes:
                raise AssertionError("oracle horizon exceeded")

    def is_open(self, t: int) -> bool:
        self._extend_to(t)
        return bool(self._open[(t - self.lo) // 60])

    def open_before(self, t: int) -> int:
        """Open seconds in [lo, t)."""
        self._extend_to(t)
        k, r = divmod(t - self.lo, 60)
        return int(60 * self._cum[k] + (r if self._open[k] else 0))

    def elapsed(self, a: int, b: int) -> int:
        if b <= a:
            return 0
        return self.open_before(b) - self.open_before(a)

    def add(self, start: int, seconds: int) -> int:
        if seconds == 0:
            return start
        target = self.open_before(start) + seconds
        while 60 * int(self._cum[-1]) < target:
            self._extend_to(self.hi + 60)
        # The first minute m whose end brings the open time to the target:
        # 60 * cum[m + 1] >= target; the due instant is inside (or at the end of) it.
        m = int(np.searchsorted(self._cum, -(-target // 60), side="left")) - 1
        return self.lo + 60 * m + target - 60 * int(self._cum[m])

    def _next_minute(self, t: int, state: bool) -> int:
        """The start of the first minute after the one holding ``t`` that is ``state``."""
        k = (t - self.lo) // 60 + 1
        while True:
            self._extend_to(self.lo + 60 * (k + 1440))
            hits = np.flatnonzero(self._open[k : k + 1440] == state)
            if hits.size:
                return self.lo + 60 * (k + int(hits[0]))
            k += 1440

    def next_open(self, t: int) -> int:
        return t if self.is_open(t) else self._next_minute(t, True)

    def next_close(self, t: int) -> int:
        return t if not self.is_open(t) else self._next_minute(t, False)

    def open_intervals(self, a: int, b: int) -> list[tuple[int, int]]:
        """Maximal open runs within [a, b), clipped."""
        self._extend_to(b)
        runs: list[tuple[int, int]] = []
        t = a
        while t < b:
            if self.is_open(t):
                end = min(self.next_close(t), b)
                runs.append((t, end))
                t = end
            else:
                t = self.next_open(t)
        return [(lo, hi) for lo, hi in runs if lo < hi]

    def boundaries(self, a: int, b: int) -> list[int]:
        """Every instant in [a, b) at which the calendar opens or closes."""
        self._extend_to(b)
        changes = np.flatnonzero(np.diff(self._open)) + 1
        instants = self.lo + 60 * changes
        return [int(t) for t in instants if a <= t < b]
