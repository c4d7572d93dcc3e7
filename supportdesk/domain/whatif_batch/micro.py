"""Instants as integer epoch microseconds, and the calendar engine's whole-second batch
operations in microseconds, exactly as its scalar ``add`` and ``elapsed`` answer.

Calendar boundaries are whole seconds, so the second [s, s + 1) is either all open or
all closed: the open time before s + f microseconds is the open time before s, plus f
when s is open.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy.typing as npt

from supportdesk.domain.calendars import BusinessCalendar

Int64Array = npt.NDArray[np.int64]

US = 1_000_000
#: ``None`` of an instant (no due, not met, no end): later than every real instant.
NEVER = int(np.iinfo(np.int64).max)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_ONE_US = dt.timedelta(microseconds=1)


def micros(t: dt.datetime | None) -> int:
    """Epoch microseconds of an aware instant; :data:`NEVER` for ``None``."""
    return NEVER if t is None else (t - _EPOCH) // _ONE_US


def _open_before(calendar: BusinessCalendar, origin: int, t: Int64Array) -> Int64Array:
    """Open microseconds in [origin, t) (``origin`` a whole second at or before every t)."""
    seconds = t // US
    fraction = t - seconds * US
    start = np.full(len(t), origin, dtype=np.int64)
    whole = calendar.elapsed_batch(start, seconds)
    open_now = calendar.elapsed_batch(seconds, seconds + 1)
    result: Int64Array = whole * US + fraction * open_now
    return result


def elapsed_us(calendar: BusinessCalendar, starts: Int64Array, ends: Int64Array) -> Int64Array:
    """``calendar.elapsed`` for each pair of epoch microseconds, in microseconds."""
    if len(starts) == 0:
        return np.zeros(0, dtype=np.int64)
    origin = int(min(starts.min(), ends.min())) // US
    result: Int64Array = np.maximum(
        _open_before(calendar, origin, ends) - _open_before(calendar, origin, starts), 0
    )
    return result


def add_us(calendar: BusinessCalendar, starts: Int64Array, amounts: Int64Array) -> Int64Array:
    """``calendar.add`` for each start and duration in epoch microseconds: the earliest
    instant with that much open time after the start (the start itself for zero)."""
    if len(starts) == 0:
        return np.zeros(0, dtype=np.int64)
    origin = int(starts.min()) // US
    target = _open_before(calendar, origin, starts) + amounts
    whole = -(-target // US)  # the first whole second with the target open before it
    positive = amounts > 0
    base = np.full(len(starts), origin, dtype=np.int64)
    due = calendar.add_batch(base, np.where(positive, whole, 1)) * US - (whole * US - target)
    result: Int64Array = np.where(positive, due, starts)
    return result
