"""Business time over a clock's *active* spans: [anchor, ∞) minus excluded spans (the
case waiting on the customer; for resolution, resolved until reopened). RSP-6, SEV-4.

Spans are wall-clock [start, end) pairs of aware instants; ``end`` ``None`` means the
span is still open as of ``now``. Every function takes merged spans (:func:`merge`).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Sequence

from supportdesk.domain.calendars import BusinessCalendar
from supportdesk.domain.sla.history import Span

ZERO = dt.timedelta(0)


def merge(spans: Sequence[Span]) -> tuple[Span, ...]:
    """Sorted, non-overlapping spans; an open span swallows everything after it."""
    out: list[Span] = []
    for start, end in sorted(spans, key=lambda s: s[0]):
        if out and (out[-1][1] is None or start <= out[-1][1]):
            prev_start, prev_end = out[-1]
            merged_end = None if prev_end is None or end is None else max(prev_end, end)
            out[-1] = (prev_start, merged_end)
        elif end is None or end > start:
            out.append((start, end))
    return tuple(out)


def active_pieces(
    start: dt.datetime, excluded: tuple[Span, ...]
) -> Iterable[tuple[dt.datetime, dt.datetime | None]]:
    """The active spans from ``start`` on: [start, ∞) minus ``excluded``."""
    cursor: dt.datetime | None = start
    for ex_start, ex_end in excluded:
        if cursor is None:
            return
        if ex_end is not None and ex_end <= cursor:
            continue
        if ex_start > cursor:
            yield cursor, ex_start
        cursor = None if ex_end is None else max(cursor, ex_end)
    if cursor is not None:
        yield cursor, None


def active_until(
    cal: BusinessCalendar, start: dt.datetime, amount: dt.timedelta, excluded: tuple[Span, ...]
) -> dt.datetime | None:
    """The earliest instant with ``amount`` of active business time since ``start``;
    ``None`` when an open pause comes first."""
    left = amount
    for lo, hi in active_pieces(start, excluded):
        if hi is None:
            return cal.add(lo, left)
        piece = cal.elapsed(lo, hi)
        if piece >= left:
            return cal.add(lo, left)
        left -= piece
    return None


def active_elapsed(
    cal: BusinessCalendar, start: dt.datetime, end: dt.datetime, excluded: tuple[Span, ...]
) -> dt.timedelta:
    total = ZERO
    for lo, hi in active_pieces(start, excluded):
        if lo >= end:
            break
        total += cal.elapsed(lo, end if hi is None else min(hi, end))
    return total


def first_active(t: dt.datetime, excluded: tuple[Span, ...]) -> dt.datetime | None:
    """``t``, or the end of the excluded span containing it (``None``: still open)."""
    i = bisect.bisect_right([s for s, _ in excluded], t) - 1
    if i >= 0:
        ex_end = excluded[i][1]
        if ex_end is None or t < ex_end:
            return ex_end
    return t


def retargeted(
    cal: BusinessCalendar,
    anchor: dt.datetime,
    change: dt.datetime,
    amount: dt.timedelta,
    excluded: tuple[Span, ...],
) -> dt.datetime | None:
    # SEV-4: a target set at ``change`` counts from the anchor but is never due before
    # the clock next runs after the change.
    reached = active_until(cal, anchor, amount, excluded)
    floor = first_active(change, excluded)
    if reached is None or floor is None:
        return None
    return max(reached, floor).astimezone(dt.UTC)


def overlap(span: Span, lo: dt.datetime, hi: dt.datetime) -> dt.timedelta:
    start = max(span[0], lo)
    end = hi if span[1] is None else min(span[1], hi)
    return max(end - start, ZERO)
