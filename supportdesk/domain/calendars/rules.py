"""Holiday rules evaluated for one year: which dates are holidays, and their hours.

Contract of :func:`evaluate_holidays`:

* every rule is evaluated for the *base* years around the asked year, and each
  occurrence that lands in the asked year is kept, so a rule whose shift crosses a
  year boundary still counts (New Year's Day observed on Friday 31 December);
* ``FixedDate`` is shifted by its :class:`~.spec.Observed` setting, ``NthWeekday``
  with ``n == -1`` is the last such weekday, ``OffsetFrom`` counts from the
  referenced rule's (observed) date in the same base year, ``EasterOffset`` from
  Western Easter Sunday, ``OneOff`` only in its own year;
* ``OffsetFrom`` references are resolved in dependency order; an unknown name or a
  cycle raises :class:`~.errors.CalendarSpecError` (:class:`~.errors.HolidayRuleCycleError`);
* an iCalendar file's dated holidays (``dated``) apply on their dates with their hours;
* imported holidays close their day, minus the names in ``exclude``;
* precedence (HRS-2: the policy states the hours): when a policy rule and an
  imported holiday fall on the same date, the policy rule wins and the imported
  names for that date are dropped; when two policy rules fall on the same date,
  the one listed first in the policy wins; a calendar file's date comes after the
  policy rules and before the imported holidays.

The result lists only the records that take effect, sorted by date: one per date for
policy rules, one per name for imported holidays (in the ``holidays`` package's order).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import holidays as holidays_package
from dateutil.easter import easter

from .errors import CalendarSpecError, HolidayRuleCycleError
from .spec import (
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
)

_DAYS_PER_YEAR = 365
#: How far (in days) ``Observed`` may move a fixed date.
_OBSERVED_MAX_SHIFT = 2


class HolidaySource(enum.StrEnum):
    """Where a holiday comes from."""

    POLICY = "policy"
    CALENDAR_FILE = "calendar_file"  # an iCalendar file's dated events
    IMPORTED = "imported"


@dataclass(frozen=True, slots=True)
class Holiday:
    """One holiday occurrence that takes effect in a calendar.

    ``hours`` replaces the day's normal hours (empty: closed all day). When
    ``opens_closed_day`` is false and the day is normally closed, it stays closed.
    Imported holidays always have ``hours == ()``.
    """

    date: dt.date
    name: str
    hours: DayHours
    opens_closed_day: bool
    source: HolidaySource


def evaluate_holidays(
    rules: Iterable[HolidayRule],
    imported: ImportedHolidays | None,
    year: int,
    *,
    path: str = "holidays",
    dated: Iterable[HolidayRule] = (),
) -> list[Holiday]:
    """Every holiday of ``year`` that takes effect, with its hours and its source.

    ``path`` prefixes the location in errors (e.g. ``"calendars.support.holidays"``).
    Raises :class:`CalendarSpecError` for an unknown ``OffsetFrom`` reference, a
    cycle, an impossible date, or a country the ``holidays`` package lacks.
    """
    rule_list = tuple(rules)
    by_name = _index_rules(rule_list, path)
    order = _dependency_order(by_name, path)
    reach = _max_shift_days(by_name, order)
    span = reach // _DAYS_PER_YEAR + 1

    position = {rule.name: i for i, rule in enumerate(rule_list)}
    found: dict[dt.date, HolidayRule] = {}
    for base in range(year - span, year + span + 1):
        dates = _rule_dates(by_name, order, base, path)
        for rule in rule_list:
            day = dates[rule.name]
            if day is None or day.year != year:
                continue
            holder = found.get(day)
            if holder is None or position[rule.name] < position[holder.name]:
                found[day] = rule
    records = [
        Holiday(
            date=day,
            name=rule.name,
            hours=rule.hours,
            opens_closed_day=rule.opens_closed_day,
            source=HolidaySource.POLICY,
        )
        for day, rule in sorted(found.items())
    ]
    records.extend(_dated_holidays(dated, year, found))
    if imported is not None:
        records.extend(h for h in _imported_holidays(imported, year, path) if h.date not in found)
    records.sort(key=lambda h: h.date)  # stable: keeps the order within a date
    return records


def _dated_holidays(
    dated: Iterable[HolidayRule], year: int, found: dict[dt.date, HolidayRule]
) -> list[Holiday]:
    """The calendar file's dates in ``year`` that no policy rule holds (which it then
    claims, so a country's imported holiday on the same date is dropped)."""
    records: list[Holiday] = []
    for rule in dated:
        if not isinstance(rule.when, OneOff) or rule.when.date.year != year:
            continue
        day = rule.when.date
        if day in found:
            continue
        found[day] = rule
        records.append(
            Holiday(day, rule.name, rule.hours, rule.opens_closed_day, HolidaySource.CALENDAR_FILE)
        )
    return records


def holiday_hours_by_date(holidays: Iterable[Holiday]) -> dict[dt.date, Holiday]:
    """The one holiday that decides each date's hours (the first listed for it)."""
    result: dict[dt.date, Holiday] = {}
    for holiday in holidays:
        result.setdefault(holiday.date, holiday)
    return result


def _index_rules(rules: tuple[HolidayRule, ...], path: str) -> dict[str, HolidayRule]:
    by_name: dict[str, HolidayRule] = {}
    for rule in rules:
        if rule.name in by_name:
            raise CalendarSpecError(f"{path}.{rule.name}", "duplicate holiday name")
        by_name[rule.name] = rule
    return by_name


def _dependency_order(by_name: Mapping[str, HolidayRule], path: str) -> list[str]:
    """Rule names so that every ``OffsetFrom`` comes after the rule it refers to."""
    order: list[str] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(name: str, trail: tuple[str, ...]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            cycle = " -> ".join((*trail[trail.index(name) :], name))
            raise HolidayRuleCycleError(f"{path}.{name}", f"offset rules form a cycle: {cycle}")
        state[name] = 1
        when = by_name[name].when
        if isinstance(when, OffsetFrom):
            if when.rule not in by_name:
                raise CalendarSpecError(
                    f"{path}.{name}", f"offset from unknown holiday {when.rule!r}"
                )
            visit(when.rule, (*trail, name))
        state[name] = 2
        order.append(name)

    for name in by_name:
        visit(name, ())
    return order


def _max_shift_days(by_name: Mapping[str, HolidayRule], order: list[str]) -> int:
    """An upper bound on how far any rule's date can fall outside its base year."""
    shift: dict[str, int] = {}
    for name in order:
        when = by_name[name].when
        if isinstance(when, FixedDate):
            shift[name] = _OBSERVED_MAX_SHIFT
        elif isinstance(when, EasterOffset):
            shift[name] = abs(when.days)
        elif isinstance(when, OffsetFrom):
            shift[name] = abs(when.days) + shift[when.rule]
        else:
            shift[name] = 0
    return max(shift.values(), default=0)


def _rule_dates(
    by_name: Mapping[str, HolidayRule], order: list[str], base: int, path: str
) -> dict[str, dt.date | None]:
    dates: dict[str, dt.date | None] = {}
    for name in order:
        when = by_name[name].when
        if isinstance(when, OffsetFrom):
            ref = dates[when.rule]
            dates[name] = None if ref is None else _shift(ref, when.days, f"{path}.{name}")
        else:
            dates[name] = _base_date(when, base, f"{path}.{name}")
    return dates


def _base_date(when: HolidayDate, year: int, path: str) -> dt.date | None:
    if isinstance(when, FixedDate):
        try:
            day = dt.date(year, when.month, when.day)
        except ValueError:
            # 29 February: no holiday in a common year.
            if when.month == 2 and when.day == 29:
                return None
            raise CalendarSpecError(path, f"no date {when.month:02d}-{when.day:02d}") from None
        return _observe(day, when.observed)
    if isinstance(when, NthWeekday):
        return _nth_weekday(year, when, path)
    if isinstance(when, EasterOffset):
        return _shift(easter(year), when.days, path)
    if isinstance(when, OneOff):
        return when.date if when.date.year == year else None
    raise CalendarSpecError(path, f"rule kind {type(when).__name__} cannot give a date")


def _observe(day: dt.date, observed: Observed) -> dt.date:
    weekday = day.weekday()
    if observed is Observed.NEAREST_WEEKDAY:
        if weekday == 5:
            return day - dt.timedelta(days=1)
        if weekday == 6:
            return day + dt.timedelta(days=1)
    elif observed is Observed.NEXT_MONDAY and weekday >= 5:
        return day + dt.timedelta(days=7 - weekday)
    return day


def _nth_weekday(year: int, when: NthWeekday, path: str) -> dt.date | None:
    if not 1 <= when.month <= 12 or when.n == 0 or not -5 <= when.n <= 5:
        raise CalendarSpecError(path, f"no {when.n}th weekday of month {when.month}")
    if when.n > 0:
        first = dt.date(year, when.month, 1)
        day = first + dt.timedelta(days=(when.weekday - first.weekday()) % 7 + 7 * (when.n - 1))
    else:
        next_month = dt.date(year + when.month // 12, when.month % 12 + 1, 1)
        last = next_month - dt.timedelta(days=1)
        day = last - dt.timedelta(days=(last.weekday() - when.weekday) % 7 + 7 * (-when.n - 1))
    # A fifth weekday does not exist in every month: no holiday that year.
    return day if day.month == when.month else None


def _shift(day: dt.date, days: int, path: str) -> dt.date | None:
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        raise CalendarSpecError(path, "date out of range") from None


def _imported_holidays(imported: ImportedHolidays, year: int, path: str) -> list[Holiday]:
    try:
        table = holidays_package.country_holidays(
            imported.country, subdiv=imported.subdivision, years=year
        )
    except NotImplementedError as exc:
        raise CalendarSpecError(f"{path}.imported", str(exc)) from None
    records: list[Holiday] = []
    for day in sorted(table):
        if day.year != year:
            continue
        for name in table.get_list(day):
            if name in imported.exclude:
                continue
            records.append(
                Holiday(
                    date=day,
                    name=name,
                    hours=(),
                    opens_closed_day=False,
                    source=HolidaySource.IMPORTED,
                )
            )
    return records
