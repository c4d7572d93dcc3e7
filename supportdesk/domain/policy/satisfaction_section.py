"""The ``satisfaction`` section of a policy file: whether resolved cases are surveyed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from supportdesk.domain.policy.reader import Reader
from supportdesk.domain.satisfaction import DEFAULT_SATISFACTION, SatisfactionSettings


def read_satisfaction(r: Reader, top: Mapping[str, Any]) -> SatisfactionSettings:
    """The section as written; :class:`SatisfactionSettings`' defaults where it is absent."""
    section = r.get(top, "satisfaction", "", dict, default=None)
    default = DEFAULT_SATISFACTION
    if section is None:
        return default
    p = "satisfaction"
    r.unknown_keys(section, {"send", "work_orders", "question", "change_days"}, p)
    question = r.get(section, "question", p, str, default=default.question)
    if question is not None and not question.strip():
        r.fail(f"{p}.question", "must not be empty")
    days = r.get(section, "change_days", p, int, default=default.change_days)
    if days is not None and not 1 <= days <= 90:
        r.fail(f"{p}.change_days", "must be between 1 and 90")
    return SatisfactionSettings(
        send=bool(r.get(section, "send", p, bool, default=True)),
        work_orders=bool(r.get(section, "work_orders", p, bool, default=False)),
        question=(question or default.question).strip(),
        change_days=days or default.change_days,
    )
