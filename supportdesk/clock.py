"""The one place that reads the wall clock.

Services take ``now: datetime | None = None`` and resolve it once here, so one use
case sees one instant; tests pass ``now`` explicitly instead of patching time.
"""

from __future__ import annotations

import datetime as dt


def now() -> dt.datetime:
    """The current instant, timezone-aware, in UTC."""
    return dt.datetime.now(dt.UTC)


def resolve(value: dt.datetime | None) -> dt.datetime:
    """``value`` if given (it must be aware), else the current instant."""
    if value is None:
        return now()
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    return value.astimezone(dt.UTC)
