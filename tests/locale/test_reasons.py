"""The domain's English refusal reasons reach people in their language (web.reasons)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from supportdesk.domain.errors import DomainError
from supportdesk.domain.local_time import to_utc
from supportdesk.web.reasons import FIXED, translated

DENVER = ZoneInfo("America/Denver")


@pytest.mark.parametrize("reason", FIXED)
def test_every_fixed_reason_has_swedish(reason: str) -> None:
    with translation.override("sv"):
        assert translated(reason) != reason
    with translation.override("en"):
        assert translated(reason) == reason


def test_reasons_with_values_keep_their_values() -> None:
    with translation.override("sv"):
        assert translated("must be one of: a, b") == "måste vara ett av: a, b"


def test_the_dst_refusals_from_the_domain_are_translated_whole() -> None:
    refusals = []
    # Naive wall-clock times, as a person types them: one repeated, one skipped.
    for day in (dt.date(2026, 11, 1), dt.date(2026, 3, 8)):
        wall = dt.datetime.combine(day, dt.time(1 if day.month == 11 else 2, 30))
        with pytest.raises(DomainError) as caught:
            to_utc(wall, DENVER, field="details.occurred_at")
        refusals.append(caught.value.message)
    with translation.override("sv"):
        twice, missing = (translated(r) for r in refusals)
    assert twice.startswith("2026-11-01 01:30 inträffar två gånger i America/Denver")
    assert "MDT (UTC-06:00) eller MST (UTC-07:00)" in twice
    assert missing.startswith("2026-03-08 02:30 finns inte i America/Denver")


def test_an_unknown_reason_is_shown_as_written() -> None:
    with translation.override("sv"):
        assert translated("the policy says something new") == "the policy says something new"
