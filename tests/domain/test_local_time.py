"""Wall time + zone -> UTC against a brute-force oracle: every minute-aligned UTC
instant within a day and a half of the wall time, kept when its local reading is the
wall time. DST edges of each zone are pinned as explicit examples."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supportdesk.domain.local_time import (
    AmbiguousLocalTime,
    NonExistentLocalTime,
    readings,
    to_utc,
)

ZONES = (
    "America/Denver",
    "America/New_York",
    "Europe/Stockholm",
    "Australia/Sydney",
    "Australia/Lord_Howe",  # a 30-minute DST shift
    "Asia/Tokyo",
    "UTC",
)
#: Local dates around each zone's changes, so the walls land in gaps and overlaps.
CHANGE_DAYS = (
    dt.date(2026, 3, 8),
    dt.date(2026, 11, 1),
    dt.date(2026, 3, 29),
    dt.date(2026, 10, 25),
    dt.date(2026, 4, 5),
    dt.date(2026, 10, 4),
)


def wall_time(text: str) -> dt.datetime:
    """A naive wall-clock time, as a person types it."""
    return dt.datetime.fromisoformat(text)


def oracle(wall: dt.datetime, zone: ZoneInfo) -> list[dt.datetime]:
    """Every minute-aligned instant whose wall clock in ``zone`` reads ``wall``."""
    start = (wall - dt.timedelta(hours=36)).replace(tzinfo=dt.UTC)
    return [
        instant
        for m in range(72 * 60)
        if (instant := start + dt.timedelta(minutes=m)).astimezone(zone).replace(tzinfo=None)
        == wall
    ]


walls = st.builds(
    lambda day, shift, minute: (
        dt.datetime.combine(day + dt.timedelta(days=shift), dt.time())
        + dt.timedelta(minutes=minute)
    ),
    st.sampled_from(CHANGE_DAYS),
    st.integers(-1, 1),
    st.integers(0, 24 * 60 - 1),
)


@settings(max_examples=150, deadline=None)
@given(wall=walls, zone_key=st.sampled_from(ZONES), fold=st.sampled_from([0, 1, None]))
def test_to_utc_agrees_with_the_minute_oracle(
    wall: dt.datetime, zone_key: str, fold: int | None
) -> None:
    zone = ZoneInfo(zone_key)
    expected = oracle(wall, zone)
    assert [o.instant for o in readings(wall, zone)] == expected
    if not expected:
        with pytest.raises(NonExistentLocalTime):
            to_utc(wall, zone, field="occurred_at", fold=fold)
    elif len(expected) == 1:
        assert to_utc(wall, zone, field="occurred_at", fold=fold) == expected[0]
    elif fold is None:
        with pytest.raises(AmbiguousLocalTime) as caught:
            to_utc(wall, zone, field="occurred_at")
        assert [o.instant for o in caught.value.offsets] == expected
    else:
        # fold 0 is the first time the wall clock shows it, fold 1 the second.
        assert to_utc(wall, zone, field="occurred_at", fold=fold) == expected[fold]


def test_an_ordinary_denver_afternoon_is_one_instant() -> None:
    got = to_utc(wall_time("2026-03-01T14:30"), ZoneInfo("America/Denver"), field="t")
    assert got == dt.datetime(2026, 3, 1, 21, 30, tzinfo=dt.UTC)


def test_the_denver_spring_gap_is_refused_naming_the_field() -> None:
    with pytest.raises(NonExistentLocalTime) as caught:
        to_utc(wall_time("2026-03-08T02:30"), ZoneInfo("America/Denver"), field="occurred_at")
    assert caught.value.field == "occurred_at"
    assert "does not exist in America/Denver" in caught.value.message


def test_the_denver_fall_back_hour_asks_which_offset() -> None:
    zone = ZoneInfo("America/Denver")
    wall = wall_time("2026-11-01T01:30")
    with pytest.raises(AmbiguousLocalTime) as caught:
        to_utc(wall, zone, field="occurred_at")
    assert caught.value.field == "occurred_at"
    assert "MDT (UTC-06:00) or MST (UTC-07:00)" in caught.value.message
    assert to_utc(wall, zone, field="occurred_at", fold=0) == dt.datetime(
        2026, 11, 1, 7, 30, tzinfo=dt.UTC
    )
    assert to_utc(wall, zone, field="occurred_at", fold=1) == dt.datetime(
        2026, 11, 1, 8, 30, tzinfo=dt.UTC
    )


def test_a_stockholm_overlap_has_two_readings_an_hour_apart() -> None:
    found = readings(wall_time("2026-10-25T02:15"), ZoneInfo("Europe/Stockholm"))
    assert [o.abbreviation for o in found] == ["CEST", "CET"]
    assert found[1].instant - found[0].instant == dt.timedelta(hours=1)


def test_an_aware_wall_time_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        readings(dt.datetime(2026, 1, 1, tzinfo=dt.UTC), ZoneInfo("UTC"))
