"""Form data for the report form (shared by the portal and console tests)."""

from __future__ import annotations

from tests.factories import answers_none
from tests.web.conftest import yes_no


def sev2_report(**changes: str) -> dict[str, str]:
    data = {
        "title": "Search results fail",
        "request_type": "incident",
        "category": "other",
        "environment": "production",
        "description": "Searching for rooms gives an error.",
        **yes_no(answers_none(significant_impact=True, workaround=False)),
        "d_occurred_at": "2026-03-10T09:30-05:00",
        "d_area": "Booking engine",
        "d_activity": "search",
        "d_search_parameters": "2 adults, 12-14 March",
        "d_scope": "one_function",
        "d_details": "All users see it.",
        "callback_number": "",
    }
    data.update(changes)
    return data
