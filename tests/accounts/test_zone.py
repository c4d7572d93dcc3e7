"""The zone a person reads and types times in: one rule for every page, form and mail."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from supportdesk.accounts.models import User


@pytest.mark.parametrize(
    ("stored", "zone"),
    [
        ("Europe/Stockholm", "Europe/Stockholm"),
        ("", "UTC"),
        ("Not/A_Zone", "UTC"),
        ("../etc/passwd", "UTC"),
    ],
)
def test_a_profile_zone_this_machine_does_not_know_reads_as_utc(stored: str, zone: str) -> None:
    assert User(username="x", time_zone=stored).zone == ZoneInfo(zone)
