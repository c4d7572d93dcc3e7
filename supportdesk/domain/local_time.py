"""A wall-clock time typed by a person, turned into the instant they meant.

A person reads their clock, not UTC: the portal asks for a date and a time in the
viewer's zone and converts here. Twice a year that is not one instant: when the clocks
go back, an hour of wall times happens twice (ambiguous: the person says which offset);
when they go forward, an hour never happens (non-existent: refused, never guessed).
Pure: no clock, no I/O.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from supportdesk.domain.errors import DomainError


@dataclass(frozen=True, slots=True)
class Offset:
    """One reading of an ambiguous wall time: its ``fold`` (0 = the first time the wall
    clock shows it, 1 = the second) and the instant and offset that reading gives."""

    fold: int
    instant: dt.datetime
    utc_offset: dt.timedelta
    abbreviation: str

    @property
    def label(self) -> str:
        """``MDT (UTC-06:00)``: how a person tells the two readings apart."""
        return f"{self.abbreviation} (UTC{_hhmm(self.utc_offset)})"


class AmbiguousLocalTime(DomainError):
    """The wall time happens twice in the zone; ``offsets`` are the two readings."""

    def __init__(self, field: str, wall: dt.datetime, zone: ZoneInfo, offsets: tuple[Offset, ...]):
        shown = " or ".join(o.label for o in offsets)
        super().__init__(
            f"{wall:%Y-%m-%d %H:%M} happens twice in {zone.key} (the clocks go back): "
            f"choose {shown}",
            field=field,
        )
        self.offsets = offsets


class NonExistentLocalTime(DomainError):
    """The wall time is skipped in the zone (the clocks go forward over it)."""

    def __init__(self, field: str, wall: dt.datetime, zone: ZoneInfo) -> None:
        super().__init__(
            f"{wall:%Y-%m-%d %H:%M} does not exist in {zone.key}: the clocks go forward "
            "over it; give a time before or after the change",
            field=field,
        )


def readings(wall: dt.datetime, zone: ZoneInfo) -> tuple[Offset, ...]:
    """Every instant whose local time in ``zone`` is ``wall`` (naive), earliest first:
    one normally, two in a fall-back overlap, none in a spring-forward gap."""
    if wall.tzinfo is not None:
        raise ValueError("wall must be a naive wall-clock time")
    out: list[Offset] = []
    for fold in (0, 1):
        aware = wall.replace(tzinfo=zone, fold=fold)
        instant = aware.astimezone(dt.UTC)
        # zoneinfo maps a gap time to *some* instant; only a round trip proves it exists.
        if instant.astimezone(zone).replace(tzinfo=None) != wall:
            continue
        if any(o.instant == instant for o in out):
            continue
        offset = aware.utcoffset()
        assert offset is not None
        out.append(Offset(fold, instant, offset, aware.tzname() or zone.key))
    return tuple(sorted(out, key=lambda o: o.instant))


def to_utc(
    wall: dt.datetime, zone: ZoneInfo, *, field: str, fold: int | None = None
) -> dt.datetime:
    """The UTC instant of the naive wall time ``wall`` in ``zone``.

    Raises :class:`NonExistentLocalTime` for a skipped time and
    :class:`AmbiguousLocalTime` for a repeated one unless ``fold`` (0 or 1) says which
    reading is meant; ``fold`` is ignored when the time is unambiguous. Both errors name
    ``field``.
    """
    found = readings(wall, zone)
    if not found:
        raise NonExistentLocalTime(field, wall, zone)
    if len(found) == 1:
        return found[0].instant
    chosen = [o for o in found if o.fold == fold]
    if not chosen:
        raise AmbiguousLocalTime(field, wall, zone, found)
    return chosen[0].instant


def _hhmm(offset: dt.timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
