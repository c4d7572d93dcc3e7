"""Errors raised by the calendar engine; each names the calendar and the reason."""

from __future__ import annotations

from supportdesk.domain.errors import DomainError


class CalendarError(DomainError):
    """Base class for every calendar error (a :class:`DomainError`: mapped to 4xx / exit 2)."""


class CalendarSpecError(CalendarError, ValueError):
    """A calendar spec cannot be built: a broken rule, an unknown or cyclic reference.

    ``path`` is where the problem is (``"calendars.emea.holidays.Midsummer"``), so
    the policy loader and the CLI can report the field and the reason.
    """

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}", field=path)
        self.path = path
        self.reason = reason


class HolidayRuleCycleError(CalendarSpecError):
    """``OffsetFrom`` rules refer to each other in a cycle."""


class NaiveDatetimeError(CalendarError, ValueError):
    """A datetime without a time zone was given where an instant is required."""


class NegativeDurationError(CalendarError, ValueError):
    """A business duration below zero was given."""


class NeverOpensError(CalendarError):
    """The calendar has no open time within the search horizon after an instant.

    Raised instead of searching forever, e.g. for a calendar whose weekly hours are
    all empty.
    """
