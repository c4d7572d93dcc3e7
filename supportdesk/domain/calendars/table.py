"""A sorted table of open intervals with prefix sums: business time by bisection.

Instants are integer UTC epoch seconds. A table covers a contiguous range of real
time, [lo, hi), made of whole local years, and lists *every* open instant in it as
disjoint, non-touching intervals (touching pieces are merged, so an interval's end
is a real closing instant unless it is ``hi``, where the next year may continue it).

``cum[i]`` is the open time before interval ``i``, so the open time in [lo, t) is
``cum[i] + min(t, ends[i]) - starts[i]`` for the last interval ``i`` starting at or
before ``t``. Tables are immutable: a calendar swaps in a wider one when it needs
more years, so a reader holding one sees a consistent snapshot.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import numpy.typing as npt

Int64Array = npt.NDArray[np.int64]

DAY = 86_400


def merge(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, disjoint, non-touching intervals covering the union of the input."""
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(intervals):
        if lo >= hi:
            continue
        if merged and lo <= merged[-1][1]:
            if hi > merged[-1][1]:
                merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return merged


@dataclass(frozen=True, eq=False)
class IntervalTable:
    """Open intervals of the years ``first_year..last_year``, covering [lo, hi)."""

    first_year: int
    last_year: int
    lo: int
    hi: int
    starts: list[int]
    ends: list[int]
    cum: list[int] = field(init=False)
    #: ``day_index[k]``: the first interval ending after ``lo + k * DAY``. The last
    #: interval starting at or before ``t`` then lies in
    #: ``[day_index[k] - 1, day_index[k + 1]]`` for ``k = (t - lo) // DAY``, which
    #: narrows the bisection of the scalar queries to a handful of entries.
    day_index: list[int] = field(init=False)

    def __post_init__(self) -> None:
        cum = [0] * (len(self.starts) + 1)
        total = 0
        for i, (start, end) in enumerate(zip(self.starts, self.ends, strict=True)):
            total += end - start
            cum[i + 1] = total
        object.__setattr__(self, "cum", cum)
        day_index: list[int] = []
        n, p = len(self.ends), 0
        for k in range((self.hi - self.lo + DAY - 1) // DAY + 1):
            boundary = self.lo + k * DAY
            while p < n and self.ends[p] <= boundary:
                p += 1
            day_index.append(p)
        object.__setattr__(self, "day_index", day_index)

    @classmethod
    def build(
        cls, first_year: int, last_year: int, lo: int, hi: int, intervals: Iterable[tuple[int, int]]
    ) -> IntervalTable:
        merged = merge(intervals)
        return cls(
            first_year=first_year,
            last_year=last_year,
            lo=lo,
            hi=hi,
            starts=[start for start, _ in merged],
            ends=[end for _, end in merged],
        )

    @property
    def total(self) -> int:
        """Open seconds in the whole table."""
        return self.cum[-1]

    def last_starting_at_or_before(self, t: int) -> int:
        """``bisect_right(starts, t) - 1``, narrowed by the day index; ``lo <= t < hi``."""
        k = (t - self.lo) // DAY
        index = self.day_index
        return bisect_right(self.starts, t, index[k], min(index[k + 1] + 1, len(self.starts))) - 1

    def open_before(self, t: int) -> int:
        """Open seconds in [lo, t), for ``lo <= t <= hi``."""
        i = bisect_right(self.starts, t) - 1
        if i < 0:
            return 0
        return self.cum[i] + min(t, self.ends[i]) - self.starts[i]

    def is_open(self, t: int) -> bool:
        i = bisect_right(self.starts, t) - 1
        return i >= 0 and t < self.ends[i]

    def containing_or_next(self, t: int) -> int:
        """Index of the interval containing ``t``, else of the first one after it.

        Equals ``len(starts)`` when no interval ends after ``t``.
        """
        return bisect_right(self.ends, t)

    def instant_with_open_before(self, target: int) -> int:
        """The earliest instant ``t`` with ``open_before(t) == target``, for
        ``0 < target <= total``: a target reached exactly at a closing instant is that
        closing instant, not the next opening."""
        j = bisect_left(self.cum, target)
        return self.starts[j - 1] + target - self.cum[j - 1]

    def intervals_between(self, lo: int, hi: int) -> list[tuple[int, int]]:
        """The open intervals clipped to [lo, hi), for a range inside the table."""
        result: list[tuple[int, int]] = []
        i = bisect_right(self.ends, lo)
        n = len(self.starts)
        while i < n and self.starts[i] < hi:
            result.append((max(self.starts[i], lo), min(self.ends[i], hi)))
            i += 1
        return result

    # Vectorised forms, for batches.

    @cached_property
    def _np_starts(self) -> Int64Array:
        return np.asarray(self.starts, dtype=np.int64)

    @cached_property
    def _np_lengths(self) -> Int64Array:
        return np.asarray(self.ends, dtype=np.int64) - self._np_starts

    @cached_property
    def _np_cum(self) -> Int64Array:
        return np.asarray(self.cum, dtype=np.int64)

    def open_before_many(self, t: Int64Array) -> Int64Array:
        """:meth:`open_before` for each element, all inside [lo, hi]."""
        if not self.starts:
            return np.zeros_like(t)
        i = np.searchsorted(self._np_starts, t, side="right") - 1
        clipped = np.maximum(i, 0)
        inside = np.minimum(t - self._np_starts[clipped], self._np_lengths[clipped])
        result: Int64Array = np.where(i >= 0, self._np_cum[clipped] + inside, 0)
        return result

    def instant_with_open_before_many(self, target: Int64Array) -> Int64Array:
        """:meth:`instant_with_open_before` for each element, all in (0, total]."""
        j = np.searchsorted(self._np_cum, target, side="left") - 1
        result: Int64Array = self._np_starts[j] + (target - self._np_cum[j])
        return result
