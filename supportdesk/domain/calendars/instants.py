"""Aware datetimes to integer epoch seconds and back, exactly and cheaply.

The engine works in integer UTC epoch seconds (plus a microsecond remainder for
instants that carry one); these helpers are the only place where datetimes are
taken apart or built.
"""

from __future__ import annotations

import datetime as dt

from .errors import NaiveDatetimeError

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_TD = dt.timedelta


def split_instant(t: dt.datetime) -> tuple[int, int]:
    """Whole epoch seconds and the microseconds past them; rejects naive datetimes."""
    try:
        delta = t - EPOCH
    except TypeError:  # naive, or a tzinfo whose utcoffset() is None
        raise NaiveDatetimeError(
            f"{t.isoformat()} has no time zone; an instant is needed"
        ) from None
    return delta.days * 86_400 + delta.seconds, delta.microseconds


def to_datetime(seconds: int, micros: int) -> dt.datetime:
    if micros:
        return EPOCH + _TD(0, seconds, micros)
    return utc_from_epoch(seconds)


# Building a timedelta costs several times more than adding two, so whole-second
# results are assembled from cached pieces: an aware UTC midnight plus a time of day.
_MIDNIGHTS: dict[int, dt.datetime] = {}
_TIMES_OF_DAY: list[dt.timedelta | None] = [None] * 86_400
_DURATIONS: dict[int, dt.timedelta] = {}
_CACHE_LIMIT = 100_000


def utc_from_epoch(seconds: int) -> dt.datetime:
    """The aware UTC datetime of an epoch second."""
    days, second = divmod(seconds, 86_400)
    midnight = _MIDNIGHTS.get(days)
    if midnight is None:
        if len(_MIDNIGHTS) >= _CACHE_LIMIT:
            _MIDNIGHTS.clear()
        midnight = _MIDNIGHTS[days] = EPOCH + _TD(days)
    time_of_day = _TIMES_OF_DAY[second]
    if time_of_day is None:
        time_of_day = _TIMES_OF_DAY[second] = _TD(0, second)
    return midnight + time_of_day


def seconds_delta(seconds: int) -> dt.timedelta:
    """``timedelta(seconds=seconds)`` for ``seconds >= 0``, from cached pieces."""
    days, second = divmod(seconds, 86_400)
    whole_days = _DURATIONS.get(days)
    if whole_days is None:
        if len(_DURATIONS) >= _CACHE_LIMIT:
            _DURATIONS.clear()
        whole_days = _DURATIONS[days] = _TD(days)
    time_of_day = _TIMES_OF_DAY[second]
    if time_of_day is None:
        time_of_day = _TIMES_OF_DAY[second] = _TD(0, second)
    return whole_days + time_of_day
