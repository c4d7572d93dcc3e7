"""What a business calendar *is*, as a policy file states it: pure, immutable data.

The arithmetic over these specs lives in :mod:`.engine`; the evaluation of holiday
rules for a given year in :mod:`.rules`.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

from .errors import CalendarSpecError

#: Seconds in a day; an interval may end at 24:00, i.e. at this many seconds.
DAY_SECONDS = 86_400


class Weekday(enum.IntEnum):
    """ISO-ish weekday numbers matching :meth:`datetime.date.weekday` (Monday is 0)."""

    MON = 0
    TUE = 1
    WED = 2
    THU = 3
    FRI = 4
    SAT = 5
    SUN = 6


@dataclass(frozen=True, slots=True)
class TimeInterval:
    """An open interval of local wall-clock time within one day, [start, end).

    Both ends are seconds after local midnight; ``end`` may be 86 400 (24:00).
    Invariant (checked by the policy loader): ``0 <= start < end <= DAY_SECONDS``.
    """

    start: int
    end: int

    def __str__(self) -> str:
        return f"{_hhmm(self.start)}-{_hhmm(self.end)}"


def _hhmm(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


#: A day's opening hours: sorted, non-overlapping intervals. Empty means closed.
DayHours = tuple[TimeInterval, ...]


class Observed(enum.StrEnum):
    """How a fixed-date holiday moves when it falls on a weekend."""

    NONE = "none"  # applies on its calendar date, whatever the weekday
    NEAREST_WEEKDAY = "nearest_weekday"  # Saturday -> Friday, Sunday -> Monday
    NEXT_MONDAY = "next_monday"  # Saturday or Sunday -> the following Monday


@dataclass(frozen=True, slots=True)
class FixedDate:
    month: int
    day: int
    observed: Observed = Observed.NONE


@dataclass(frozen=True, slots=True)
class NthWeekday:
    """The n-th given weekday of a month; ``n == -1`` is the last one."""

    month: int
    weekday: Weekday
    n: int


@dataclass(frozen=True, slots=True)
class OffsetFrom:
    """``days`` after (or, when negative, before) another rule of the same calendar."""

    rule: str
    days: int


@dataclass(frozen=True, slots=True)
class EasterOffset:
    """``days`` after Western Easter Sunday (negative for before)."""

    days: int


@dataclass(frozen=True, slots=True)
class OneOff:
    """A single date, in one year only."""

    date: dt.date


HolidayDate = FixedDate | NthWeekday | OffsetFrom | EasterOffset | OneOff


@dataclass(frozen=True, slots=True)
class HolidayRule:
    """A named holiday and what it does to that day's hours.

    ``hours`` replaces the day's normal hours (empty: closed all day). When
    ``opens_closed_day`` is false, a holiday falling on a day that is normally closed
    leaves it closed: special hours only ever *replace* existing opening hours.
    """

    name: str
    when: HolidayDate
    hours: DayHours = ()
    opens_closed_day: bool = False


@dataclass(frozen=True, slots=True)
class ImportedHolidays:
    """A country's (or subdivision's) public holidays from the ``holidays`` package.

    Every imported holiday closes its day, except the names in ``exclude``, which
    are switched off one by one (so nothing is added silently: the calendar's
    ``holidays(year)`` lists every imported day by name).
    """

    country: str
    subdivision: str | None = None
    exclude: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class CalendarSpec:
    """One business calendar of a policy.

    ``weekly`` has exactly seven entries, Monday first. ``always_open`` makes a 24/7
    calendar (``weekly`` and holidays are then ignored). ``union_of`` names other
    calendars of the same policy: this calendar is open whenever any of them is
    (follow-the-sun coverage); its ``zone`` is then only used for display.
    """

    name: str
    zone: str
    weekly: tuple[DayHours, ...] = ((),) * 7
    holidays: tuple[HolidayRule, ...] = ()
    imported: ImportedHolidays | None = None
    #: Holidays on listed dates (``OneOff`` rules) from an iCalendar file, stored in the
    #: policy version: names may repeat (one per year), policy rules win on a clash.
    dated: tuple[HolidayRule, ...] = ()
    always_open: bool = False
    union_of: tuple[str, ...] = field(default=())


def check_hours(spec: CalendarSpec, path: str) -> None:
    """Refuse weekly and holiday hours that are not sorted, disjoint intervals within a
    day, or a week that is not seven days, naming the key path (``path`` is the
    calendar's)."""
    if len(spec.weekly) != 7:
        raise CalendarSpecError(f"{path}.weekly", "needs exactly seven days, Monday first")
    for weekday, hours in enumerate(spec.weekly):
        _check_day(hours, f"{path}.weekly.{weekday}")
    for rule in spec.holidays:
        _check_day(rule.hours, f"{path}.holidays.{rule.name}.hours")
    for rule in spec.dated:
        _check_day(rule.hours, f"{path}.import_holidays.{rule.name}.hours")


def _check_day(hours: DayHours, path: str) -> None:
    previous_end = 0
    for interval in hours:
        if not 0 <= interval.start < interval.end <= DAY_SECONDS:
            raise CalendarSpecError(path, f"bad interval {interval.start}-{interval.end}")
        if interval.start < previous_end:
            raise CalendarSpecError(path, "intervals must be sorted and must not overlap")
        previous_end = interval.end
