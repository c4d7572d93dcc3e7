"""Business-time arithmetic over a calendar spec (HRS-1..4, RSP-1/2).

A :class:`BusinessCalendar` turns a :class:`~.spec.CalendarSpec` into the set of
real instants at which support is open, and answers questions about it. Per local
year it lazily computes the open intervals as UTC epoch seconds (see
:mod:`.zones` for how wall-clock hours map to instants across DST) and keeps them
in an :class:`~.table.IntervalTable` with prefix sums, so every query is a couple
of bisections.

Edge rules (also in ``docs/sla.md``):

* ``elapsed(a, b)`` is the open time in [a, b); zero when ``b <= a``.
* ``add(start, d)`` is the earliest instant ``t >= start`` with exactly ``d`` of
  open time in [start, t). So a start in closed time counts from the next opening,
  a due time that lands on a closing instant *is* that closing instant (Mon 09:00
  + 11 h on a 09:00-20:00 day is Mon 20:00), and ``add(start, 0)`` is ``start``
  itself, even when closed. Hence ``elapsed(s, add(s, d)) == d``.
* ``next_open(t)`` is ``t`` when open; ``next_close(t)`` is ``t`` when closed.
* Instants go in as aware datetimes (naive ones raise :class:`NaiveDatetimeError`),
  come out as aware UTC datetimes; callers convert with :attr:`BusinessCalendar.zone`.
  Microseconds are kept exactly; calendar boundaries are whole seconds.
"""

from __future__ import annotations

import datetime as dt
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

from .errors import CalendarSpecError, NegativeDurationError, NeverOpensError
from .instants import EPOCH, seconds_delta, split_instant, to_datetime, utc_from_epoch
from .rules import Holiday, evaluate_holidays, holiday_hours_by_date
from .spec import DAY_SECONDS, CalendarSpec, DayHours, TimeInterval, check_hours
from .table import Int64Array, IntervalTable, merge
from .zones import weekly_intervals, year_of, year_start

#: How many years past an instant we look for an opening (or a closing) before
#: deciding there is none: a calendar with no open time must not loop forever.
SEARCH_HORIZON_YEARS = 10

_UTC = dt.UTC
_US = 1_000_000
_TD = dt.timedelta
_ZERO = dt.timedelta(0)


class BusinessCalendar:
    """When support is open, and business-time arithmetic over it.

    Build with :func:`build_calendars` (which resolves ``union_of``) or, for a spec
    without ``union_of``, :func:`build_calendar`. Safe to share between threads:
    computed years are cached and only ever added.
    """

    def __init__(self, spec: CalendarSpec, *, members: Sequence[BusinessCalendar] = ()) -> None:
        """``members`` are the built calendars named by ``spec.union_of``, in order."""
        path = f"calendars.{spec.name}"
        if tuple(m.name for m in members) != spec.union_of:
            raise CalendarSpecError(
                f"{path}.union_of", "members must be the built calendars it names, in order"
            )
        try:
            self._zone = ZoneInfo(spec.zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise CalendarSpecError(f"{path}.zone", f"unknown time zone {spec.zone!r}") from None
        if not spec.always_open and not spec.union_of:
            check_hours(spec, path)
        self._spec = spec
        self._path = path
        self._members = tuple(members)
        self._lock = threading.Lock()
        self._holiday_cache: dict[int, list[Holiday]] = {}
        self._holiday_map_cache: dict[int, dict[dt.date, Holiday]] = {}
        self._year_cache: dict[int, list[tuple[int, int]]] = {}
        self._table: IntervalTable | None = None

    def __repr__(self) -> str:
        return f"BusinessCalendar({self._spec.name!r}, zone={self._spec.zone!r})"

    @property
    def name(self) -> str:
        return self._spec.name

    @property
    def spec(self) -> CalendarSpec:
        return self._spec

    @property
    def zone(self) -> ZoneInfo:
        """The calendar's time zone: for display, and the zone its hours are read in."""
        return self._zone

    @property
    def is_always_open(self) -> bool:
        return self._spec.always_open or any(m.is_always_open for m in self._members)

    # Days and holidays.

    def holidays(self, year: int) -> list[Holiday]:
        """The holidays of local ``year`` that take effect (see :mod:`.rules`).

        Empty for 24/7 and union calendars (their members list their own).
        """
        if self._spec.always_open or self._spec.union_of:
            return []
        cached = self._holiday_cache.get(year)
        if cached is None:
            spec = self._spec
            cached = evaluate_holidays(
                spec.holidays, spec.imported, year, path=f"{self._path}.holidays", dated=spec.dated
            )
            self._holiday_cache[year] = cached
        return list(cached)

    def day_hours(self, day: dt.date) -> DayHours:
        """The local opening hours of ``day``, holidays applied (HRS-2).

        A holiday's hours replace the day's normal hours; on a normally closed day they
        apply only if the rule says ``opens_closed_day``. For a 24/7 calendar this is
        00:00-24:00; for a union calendar it is not defined (raises ``TypeError``).
        """
        if self._spec.union_of:
            raise TypeError("a union calendar has no hours of its own")
        if self._spec.always_open:
            return _FULL_DAY
        normal = self._spec.weekly[day.weekday()]
        by_date = self._holiday_map_cache.get(day.year)
        if by_date is None:
            by_date = holiday_hours_by_date(self.holidays(day.year))
            self._holiday_map_cache[day.year] = by_date
        holiday = by_date.get(day)
        if holiday is None:
            return normal
        if not normal and not holiday.opens_closed_day:
            return ()  # HRS-2: special hours only replace existing hours unless stated
        return holiday.hours

    # Scalar queries.

    def is_open(self, t: dt.datetime) -> bool:
        """Whether support is open at instant ``t``."""
        seconds, _ = split_instant(t)
        return self._table_covering(seconds).is_open(seconds)

    def next_open(self, t: dt.datetime) -> dt.datetime:
        """The earliest open instant at or after ``t`` (``t`` itself when open).

        Raises :class:`NeverOpensError` when nothing opens within
        :data:`SEARCH_HORIZON_YEARS` years.
        """
        seconds, micros = split_instant(t)
        table = self._table_covering(seconds)
        horizon = self._horizon(seconds)
        while True:
            i = table.containing_or_next(seconds)
            if i < len(table.starts):
                if table.starts[i] <= seconds:
                    return to_datetime(seconds, micros)
                return to_datetime(table.starts[i], 0)
            table = self._extend_forward(table, horizon, t)

    def next_close(self, t: dt.datetime) -> dt.datetime | None:
        """The earliest closed instant at or after ``t`` (``t`` itself when closed).

        ``None`` when the calendar stays open for :data:`SEARCH_HORIZON_YEARS` years,
        as a 24/7 calendar does.
        """
        if self.is_always_open:
            return None
        seconds, micros = split_instant(t)
        table = self._table_covering(seconds)
        horizon = self._horizon(seconds)
        while True:
            i = table.containing_or_next(seconds)
            if i == len(table.starts) or table.starts[i] > seconds:
                return to_datetime(seconds, micros)
            if table.ends[i] < table.hi:
                return to_datetime(table.ends[i], 0)
            if table.last_year >= horizon:
                return None
            table = self._cover_years(table.first_year, table.last_year + 1)

    def add(self, start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
        """The due instant: the earliest ``t >= start`` with ``duration`` open in [start, t).

        ``duration`` must not be negative (:class:`NegativeDurationError`); zero gives
        ``start``. Raises :class:`NeverOpensError` when the open time runs out within
        :data:`SEARCH_HORIZON_YEARS` years of the last opening.
        """
        # The hot path of every SLA deadline: bisections inlined, no helper calls.
        seconds, micros = split_instant(start)
        wanted = (duration.days * 86_400 + duration.seconds) * _US + duration.microseconds
        if wanted <= 0:
            if wanted < 0:
                raise NegativeDurationError(f"business duration {duration} is negative")
            return start.astimezone(_UTC)
        table = self._table
        if table is None or not table.lo <= seconds < table.hi:
            table = self._table_covering(seconds)
        progress: _Progress | None = None
        while True:
            starts, cum = table.starts, table.cum
            index = table.day_index
            k = (seconds - table.lo) // 86_400
            n = len(starts)
            i = bisect_right(starts, seconds, index[k], min(index[k + 1] + 1, n)) - 1
            if i < 0:
                target = wanted
            elif seconds < table.ends[i]:
                target = (cum[i] + seconds - starts[i]) * _US + micros + wanted
            else:
                target = cum[i + 1] * _US + wanted
            target_seconds = -(-target // _US)
            if target_seconds <= cum[-1]:
                # The earliest instant with that much open time before it: a target
                # reached exactly at a closing instant is that closing instant. Most
                # targets are a few intervals ahead: look there first.
                near = min(i + 9, n + 1)
                j = bisect_left(cum, target_seconds, i + 1, near)
                if j == near:
                    j = bisect_left(cum, target_seconds, near)
                due = starts[j - 1] + target_seconds - cum[j - 1]
                shortfall = target_seconds * _US - target
                if shortfall:
                    return EPOCH + _TD(0, due, -shortfall)
                return utc_from_epoch(due)
            progress = progress or _Progress(table)
            table = self._extend_forward(table, progress.horizon(table), start)

    def elapsed(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Open time in [start, end); zero when ``end <= start``."""
        start_s, start_us = split_instant(start)
        end_s, end_us = split_instant(end)
        if end_s < start_s or (end_s == start_s and end_us <= start_us):
            return _ZERO
        table = self._table
        if table is None or not (table.lo <= start_s and end_s < table.hi):
            table = self._table_covering(start_s, end_s)
        starts, ends, cum, index = table.starts, table.ends, table.cum, table.day_index
        n, lo = len(starts), table.lo
        k = (end_s - lo) // 86_400
        i = bisect_right(starts, end_s, index[k], min(index[k + 1] + 1, n)) - 1
        if i < 0:
            return _ZERO
        total = (cum[i] + end_s - starts[i]) * _US + end_us if end_s < ends[i] else cum[i + 1] * _US
        k = (start_s - lo) // 86_400
        i = bisect_right(starts, start_s, index[k], min(index[k + 1] + 1, n)) - 1
        if i >= 0:
            if start_s < ends[i]:
                total -= (cum[i] + start_s - starts[i]) * _US + start_us
            else:
                total -= cum[i + 1] * _US
        if total % _US == 0:
            return seconds_delta(total // _US)
        return _TD(0, 0, total)

    def open_intervals(
        self, start: dt.datetime, end: dt.datetime
    ) -> list[tuple[dt.datetime, dt.datetime]]:
        """The open intervals within [start, end) as (start, end) UTC pairs, clipped."""
        start_s, _ = split_instant(start)
        end_s, end_us = split_instant(end)
        if end <= start:
            return []
        last = end_s + (end_us > 0)
        table = self._table_covering(start_s, last)
        start_utc, end_utc = start.astimezone(_UTC), end.astimezone(_UTC)
        return [
            (max(to_datetime(lo, 0), start_utc), min(to_datetime(hi, 0), end_utc))
            for lo, hi in table.intervals_between(start_s, last)
        ]

    # Batches: integer UTC epoch seconds in numpy int64 arrays.

    def add_batch(self, starts: Int64Array, seconds: Int64Array) -> Int64Array:
        """:meth:`add` for each pair: due instants, in epoch seconds (int64)."""
        starts = np.asarray(starts, dtype=np.int64)
        seconds = np.asarray(seconds, dtype=np.int64)
        if starts.shape != seconds.shape:
            raise ValueError("starts and seconds must have the same shape")
        if starts.size == 0:
            return starts.copy()
        if int(seconds.min()) < 0:
            raise NegativeDurationError("business durations cannot be negative")
        table = self._table_covering(int(starts.min()), int(starts.max()))
        progress = _Progress(table)
        while True:
            target = table.open_before_many(starts) + seconds
            if int(target.max()) <= table.total:
                break
            table = self._extend_forward(table, progress.horizon(table), None)
        positive = seconds > 0
        if not positive.any():
            return starts.copy()
        due = table.instant_with_open_before_many(np.where(positive, target, 1))
        result: Int64Array = np.where(positive, due, starts)
        return result

    def elapsed_batch(self, starts: Int64Array, ends: Int64Array) -> Int64Array:
        """:meth:`elapsed` for each pair, in seconds (int64)."""
        starts = np.asarray(starts, dtype=np.int64)
        ends = np.asarray(ends, dtype=np.int64)
        if starts.shape != ends.shape:
            raise ValueError("starts and ends must have the same shape")
        if starts.size == 0:
            return starts.copy()
        lo = min(int(starts.min()), int(ends.min()))
        hi = max(int(starts.max()), int(ends.max()))
        table = self._table_covering(lo, hi)
        result: Int64Array = np.maximum(
            table.open_before_many(ends) - table.open_before_many(starts), 0
        )
        return result

    # The interval table.

    def _table_covering(self, lo: int, hi: int | None = None) -> IntervalTable:
        """A table covering the instants ``lo`` and ``hi`` (and everything between)."""
        table = self._table
        hi = lo if hi is None else hi
        if table is not None and table.lo <= lo and hi < table.hi:
            return table
        first = year_of(self._zone, lo)
        last = year_of(self._zone, hi)
        if table is not None:
            first, last = min(first, table.first_year), max(last, table.last_year)
        return self._cover_years(first, last)

    def _horizon(self, instant: int) -> int:
        return year_of(self._zone, instant) + SEARCH_HORIZON_YEARS

    def _extend_forward(
        self, table: IntervalTable, horizon: int, asked: dt.datetime | None
    ) -> IntervalTable:
        """One more year of table; :class:`NeverOpensError` past ``horizon`` years."""
        if table.last_year >= horizon:
            at = "" if asked is None else f" after {asked.isoformat()}"
            raise NeverOpensError(
                f"calendar {self.name!r} has no open time{at} within {SEARCH_HORIZON_YEARS} years"
            )
        return self._cover_years(table.first_year, table.last_year + 1)

    def _cover_years(self, first: int, last: int) -> IntervalTable:
        with self._lock:
            table = self._table
            if table is not None:
                if table.first_year <= first and last <= table.last_year:
                    return table
                first, last = min(first, table.first_year), max(last, table.last_year)
            pieces: list[tuple[int, int]] = []
            for year in range(first, last + 1):
                pieces.extend(self._year_intervals(year))
            table = IntervalTable.build(
                first, last, year_start(self._zone, first), year_start(self._zone, last + 1), pieces
            )
            self._table = table
            return table

    def _year_intervals(self, year: int) -> list[tuple[int, int]]:
        """The open intervals of local ``year``, clipped to it (the lock is held)."""
        cached = self._year_cache.get(year)
        if cached is not None:
            return cached
        lo, hi = year_start(self._zone, year), year_start(self._zone, year + 1)
        if self.is_always_open:
            intervals = [(lo, hi)]
        elif self._members:
            intervals = merge(
                piece for member in self._members for piece in member._intervals_between(lo, hi)
            )
        else:
            intervals = weekly_intervals(self._zone, year, lo, hi, self.day_hours)
        self._year_cache[year] = intervals
        return intervals

    def _intervals_between(self, lo: int, hi: int) -> list[tuple[int, int]]:
        return self._table_covering(lo, hi - 1).intervals_between(lo, hi)


class _Progress:
    """The search horizon of a forward scan: it moves on while open time keeps coming."""

    def __init__(self, table: IntervalTable) -> None:
        self._total = table.total
        self._horizon = table.last_year + SEARCH_HORIZON_YEARS

    def horizon(self, table: IntervalTable) -> int:
        if table.total > self._total:
            self._total = table.total
            self._horizon = table.last_year + SEARCH_HORIZON_YEARS
        return self._horizon


_FULL_DAY: DayHours = (TimeInterval(0, DAY_SECONDS),)
