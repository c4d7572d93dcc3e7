"""Business calendars: weekly hours, holiday rules, and business-time arithmetic.

Import from here::

    from supportdesk.domain.calendars import BusinessCalendar, build_calendars

The spec dataclasses (what a policy file states) are in :mod:`.spec`; holiday rule
evaluation in :mod:`.rules`; wall-clock to instant mapping in :mod:`.zones`; the
arithmetic in :mod:`.engine`.
"""

from .build import build_calendar, build_calendars
from .engine import SEARCH_HORIZON_YEARS, BusinessCalendar
from .errors import (
    CalendarError,
    CalendarSpecError,
    HolidayRuleCycleError,
    NaiveDatetimeError,
    NegativeDurationError,
    NeverOpensError,
)
from .rules import Holiday, HolidaySource, evaluate_holidays
from .zones import OutOfRangeError

__all__ = [
    "SEARCH_HORIZON_YEARS",
    "BusinessCalendar",
    "CalendarError",
    "CalendarSpecError",
    "Holiday",
    "HolidayRuleCycleError",
    "HolidaySource",
    "NaiveDatetimeError",
    "NegativeDurationError",
    "NeverOpensError",
    "OutOfRangeError",
    "build_calendar",
    "build_calendars",
    "evaluate_holidays",
]
