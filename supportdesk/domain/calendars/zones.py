"""Local wall-clock time to real instants, exactly, across daylight-saving changes.

All instants here are integer UTC epoch seconds; a *wall time* is a naive local
reading expressed the same way (seconds since 1970-01-01 00:00 on the local clock).

The rule (HRS-4): a range of wall times [a, b) stands for **the set of real instants
whose local clock reading falls inside it**. Consequences:

* spring forward (e.g. New York, 02:00 -> 03:00): readings in the gap never occur,
  so a boundary inside the gap maps forward to the end of the gap (03:00 EDT), and a
  range wholly inside the gap is empty;
* fall back (01:00-02:00 happens twice): both passes of a repeated reading are in
  the set, so 00:00-24:00 on that day is 25 real hours and 01:00-01:30 is 1 hour in
  two pieces; a range that does not touch the repeated hour (09:00-20:00) is
  unaffected.

Offset changes are found with the public ``zoneinfo`` API only: the offset is
sampled every few hours and each change is located to the second by bisection.
(No time zone changes its offset twice within the sampling step.)
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from zoneinfo import ZoneInfo

from .errors import CalendarError
from .spec import DayHours
from .table import merge

#: An offset segment: [start, end) in UTC epoch seconds, and the UTC offset then.
Segment = tuple[int, int, int]

_UTC = dt.UTC
_EPOCH_DATE = dt.date(1970, 1, 1)
_SAMPLE_STEP = 3 * 3600
_MARGIN = 3 * 86_400
#: The years the engine will compute; beyond them ``datetime`` itself runs out.
MIN_YEAR = 1900
MAX_YEAR = 9900


class OutOfRangeError(CalendarError, ValueError):
    """An instant outside the years the calendar engine supports."""


def naive_midnight(day: dt.date) -> int:
    """The wall time of ``day`` 00:00, as seconds since the wall-clock epoch."""
    return (day - _EPOCH_DATE).days * 86_400


def utc_offset(zone: ZoneInfo, instant: int) -> int:
    """The zone's UTC offset, in seconds, at an instant."""
    offset = dt.datetime.fromtimestamp(instant, zone).utcoffset()
    assert offset is not None  # a ZoneInfo always has an offset
    return offset.days * 86_400 + offset.seconds


@functools.lru_cache(maxsize=1024)
def year_segments(zone: ZoneInfo, year: int) -> tuple[Segment, ...]:
    """Offset segments covering the local ``year`` with a few days' margin each side."""
    check_year(year)
    lo = naive_midnight(dt.date(year, 1, 1)) - _MARGIN
    hi = naive_midnight(dt.date(year + 1, 1, 1)) + _MARGIN
    return _segments(zone, lo, hi)


def _segments(zone: ZoneInfo, lo: int, hi: int) -> tuple[Segment, ...]:
    segments: list[Segment] = []
    start, offset = lo, utc_offset(zone, lo)
    probe = lo
    while probe < hi:
        nxt = min(probe + _SAMPLE_STEP, hi)
        nxt_offset = utc_offset(zone, nxt)
        if nxt_offset != offset:
            # Smallest instant in (probe, nxt] that already has the new offset.
            low, high = probe, nxt
            while high - low > 1:
                mid = (low + high) // 2
                if utc_offset(zone, mid) == offset:
                    low = mid
                else:
                    high = mid
            segments.append((start, high, offset))
            start, offset = high, nxt_offset
        probe = nxt
    if start < hi:
        segments.append((start, hi, offset))
    return tuple(segments)


def wall_to_instants(
    segments: tuple[Segment, ...], wall_lo: int, wall_hi: int
) -> list[tuple[int, int]]:
    """The instants whose local reading is in [wall_lo, wall_hi), as sorted ranges.

    ``segments`` must cover every such instant (use :func:`year_segments` of the
    year the wall times are in). Touching ranges are not merged.
    """
    ranges: list[tuple[int, int]] = []
    for seg_lo, seg_hi, offset in segments:
        lo = max(seg_lo, wall_lo - offset)
        hi = min(seg_hi, wall_hi - offset)
        if lo < hi:
            ranges.append((lo, hi))
    return ranges


def first_instant_reading(segments: tuple[Segment, ...], wall: int) -> int:
    """The earliest instant whose local reading is ``wall`` or later."""
    best: int | None = None
    for seg_lo, seg_hi, offset in segments:
        if seg_hi + offset > wall:
            candidate = max(seg_lo, wall - offset)
            if best is None or candidate < best:
                best = candidate
    if best is None:
        raise OutOfRangeError(f"wall time {wall} is outside the offset segments")
    return best


@functools.lru_cache(maxsize=4096)
def year_start(zone: ZoneInfo, year: int) -> int:
    """The first instant of local ``year``: when the zone's clock first reads 1 Jan 00:00.

    Local years partition real time: instant ``t`` is in year ``y`` exactly when
    ``year_start(y) <= t < year_start(y + 1)``.
    """
    return first_instant_reading(year_segments(zone, year), naive_midnight(dt.date(year, 1, 1)))


def year_of(zone: ZoneInfo, instant: int) -> int:
    """The local year (in the sense of :func:`year_start`) containing ``instant``."""
    try:
        year = dt.datetime.fromtimestamp(instant, _UTC).year
    except (OverflowError, ValueError, OSError):
        raise OutOfRangeError(f"instant {instant} is out of range") from None
    check_year(year)
    while instant < year_start(zone, year):
        year -= 1
        check_year(year)
    while instant >= year_start(zone, year + 1):
        year += 1
        check_year(year)
    return year


def check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise OutOfRangeError(f"year {year} is outside {MIN_YEAR}..{MAX_YEAR}")


def weekly_intervals(
    zone: ZoneInfo, year: int, lo: int, hi: int, day_hours: Callable[[dt.date], DayHours]
) -> list[tuple[int, int]]:
    """The open instants of the local ``year`` of a calendar whose ``day_hours`` gives
    each day's wall-clock hours, clipped to [``lo``, ``hi``) and merged."""
    segments = year_segments(zone, year)
    pieces: list[tuple[int, int]] = []
    # A day's instants lie within a day of its wall times: two days' margin.
    day = dt.date(year, 1, 1) - dt.timedelta(days=2)
    stop = dt.date(year, 12, 31) + dt.timedelta(days=2)
    while day <= stop:
        midnight = naive_midnight(day)
        for interval in day_hours(day):
            for piece_lo, piece_hi in wall_to_instants(
                segments, midnight + interval.start, midnight + interval.end
            ):
                piece_lo, piece_hi = max(piece_lo, lo), min(piece_hi, hi)
                if piece_lo < piece_hi:
                    pieces.append((piece_lo, piece_hi))
        day += dt.timedelta(days=1)
    return merge(pieces)
