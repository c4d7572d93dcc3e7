"""supportdesk: support cases, SLA clocks and escalations on business-hours calendars."""

__version__ = "0.1.0"
