"""Calendars the domain tests share: the seed's partner-services support calendar
(HRS-1/HRS-2), a 24/7 calendar (RSP-1), and the two follow-the-sun regions (HRS-3)."""

from __future__ import annotations

import pytest

from supportdesk.domain.calendars import BusinessCalendar, build_calendar, build_calendars
from tests.domain.calendar_oracle import (
    around_the_clock_spec,
    partner_services_spec,
    region_specs,
)


@pytest.fixture(scope="session")
def support() -> BusinessCalendar:
    return build_calendar(partner_services_spec())


@pytest.fixture(scope="session")
def around_the_clock() -> BusinessCalendar:
    return build_calendar(around_the_clock_spec())


@pytest.fixture(scope="session")
def regions() -> dict[str, BusinessCalendar]:
    return build_calendars(region_specs())
