"""Free text that suggests an emergency: the policy's emergency keywords (INT-2).

Staff "monitor all email and phone calls for after-hours emergencies" (seed 000). A
message carries no questionnaire answers, so its words are the signal: a keyword the
policy lists ("down", "cannot book", "Sev1") opens the case as an unconfirmed top
severity for on-call or the first agent to confirm or downgrade.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from functools import lru_cache


class EmergencyDecision(enum.StrEnum):
    """How on-call or the first agent settles an unconfirmed emergency (INT-2)."""

    CONFIRM = "confirm"
    DOWNGRADE = "downgrade"


@lru_cache(maxsize=64)
def _pattern(keywords: tuple[str, ...]) -> re.Pattern[str] | None:
    words = [k.strip() for k in keywords if k.strip()]
    if not words:
        return None
    # Whole words and phrases, any run of spaces (or a hyphen) between their words.
    parts = [r"[\s\-]*".join(re.escape(w) for w in word.split()) for word in words]
    return re.compile(r"(?<!\w)(" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


def emergency_keyword(text: str, keywords: Sequence[str]) -> str | None:
    """The first of ``keywords`` found in ``text`` (case-insensitive, whole words), as
    written in the text; ``None`` when none occurs."""
    pattern = _pattern(tuple(keywords))
    if pattern is None:
        return None
    found = pattern.search(text)
    return found.group(1) if found else None
