"""Emergency keywords in free text (INT-2)."""

from __future__ import annotations

import pytest

from supportdesk.domain.triage.emergency import emergency_keyword

KEYWORDS = ("down", "cannot book", "Sev1", "Sev 1")


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("URGENT Sev1 – cannot book, CRS down", "Sev1"),
        ("We CANNOT   BOOK any room", "CANNOT   BOOK"),
        ("the booking engine is down!", "down"),
        ("sev-1: payments", "sev-1"),
        ("Downloading the report fails", None),
        ("a breakdown of costs", None),
        ("please check the Sev12 ticket", None),
        ("", None),
    ],
)
def test_whole_words_and_phrases_match_regardless_of_case(text: str, found: str | None) -> None:
    assert emergency_keyword(text, KEYWORDS) == found


def test_no_keywords_means_no_emergency() -> None:
    assert emergency_keyword("everything is down", ()) is None
