"""Follow-the-sun for open work across a whole day (HRS-3, ESC-9): EMEA closes, North
America opens and closes, the night gap, EMEA opens; a holiday in one region only; the
weeks when US and EU daylight saving differ."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import pytest

from supportdesk.domain.calendars import BusinessCalendar, build_calendars
from supportdesk.domain.policy import Policy, load_policy_text
from supportdesk.domain.routing.handover import (
    HandOver,
    OpenWork,
    closing_within,
    plan_hand_over,
)

POLICY_FILE = Path(__file__).resolve().parents[2] / "policies" / "follow-the-sun.yaml"


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy_text(POLICY_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def calendars(policy: Policy) -> Mapping[str, BusinessCalendar]:
    return build_calendars(policy.calendars)


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def work(
    region: str = "emea", severity: int = 1, status: str = "in_progress", **kw: object
) -> OpenWork:
    fields: dict[str, object] = {
        "region": region,
        "severity": severity,
        "status": status,
        "escalated": False,
        "home_region": "emea",
    }
    fields.update(kw)
    return OpenWork(**fields)  # type: ignore[arg-type]


def where(
    policy: Policy, calendars: Mapping[str, BusinessCalendar], w: OpenWork, at: dt.datetime
) -> str | None:
    plan = plan_hand_over(policy, calendars, w, at)
    return plan.to_region if plan is not None else None


# Tuesday 2026-02-10, both regions on standard time: EMEA 07:00-16:00 UTC (08-17 CET),
# North America 13:00-22:00 UTC (08-17 EST).


def test_a_sev1_in_progress_at_emea_closing_continues_in_north_america(
    policy: Policy, calendars: Mapping[str, BusinessCalendar]
) -> None:
    assert where(policy, calendars, work(), utc(2026, 2, 10, 15, 59)) is None  # EMEA open
    plan = plan_hand_over(policy, calendars, work(), utc(2026, 2, 10, 16, 0))
    assert plan == HandOver(
        "emea", "na", "EMEA support hours ended: continued by North America (follow-the-sun)"
    )


def test_only_what_the_policy_names_follows_the_sun(
    policy: Policy, calendars: Mapping[str, BusinessCalendar]
) -> None:
    evening = utc(2026, 2, 10, 16, 30)
    assert where(policy, calendars, work(severity=2), evening) is None
    assert where(policy, calendars, work(status="waiting_on_customer"), evening) is None
    assert where(policy, calendars, work(severity=3, escalated=True), evening) == "na"


def test_north_america_closing_hands_back_to_the_first_region_to_open(
    policy: Policy, calendars: Mapping[str, BusinessCalendar]
) -> None:
    in_na = work(region="na")
    assert where(policy, calendars, in_na, utc(2026, 2, 10, 21, 59)) is None  # NA open
    # NA closed at 22:00 UTC; EMEA opens 07:00 UTC, before NA's own 13:00.
    assert where(policy, calendars, in_na, utc(2026, 2, 10, 22, 0)) == "emea"


def test_in_the_night_gap_a_case_waits_in_the_region_that_opens_first(
    policy: Policy, calendars: Mapping[str, BusinessCalendar]
) -> None:
    night = utc(2026, 2, 11, 3, 0)
    assert where(policy, calendars, work(region="emea"), night) is None
    assert where(policy, calendars, work(region="na"), night) == "emea"
    # EMEA opens at 07:00 UTC and takes its own case back into its hours: nothing moves.
    assert where(policy, calendars, work(region="emea"), utc(2026, 2, 11, 7, 0)) is None


def test_a_holiday_in_one_region_only(
    policy: Policy, calendars: Mapping[str, BusinessCalendar]
) -> None:
    # Thanksgiving (Thu 2026-11-26): North America is closed all day, so at EMEA's
    # closing nobody else is open before EMEA's own Friday morning: the case stays.
    assert where(policy, calendars, work(), utc(2026, 11, 26, 16, 30)) is None
    # Epiphany (Wed 2027-01-06): EMEA is closed all day; North America opens at 13:00
    # UTC, long before EMEA's Thursday morning.
    assert where(policy, calendars, work(), utc(2027, 1, 6, 9, 0)) == "na"


def test_when_us_daylight_saving_has_started_and_europe_s_has_not(
    policy: Policy, calendars: Mapping[str, BusinessCalendar]
) -> None:
    # Tue 2026-03-10: New York is on EDT (08-17 = 12:00-21:00 UTC), Stockholm on CET.
    # At 21:30 UTC North America has closed, an hour earlier in UTC than in February.
    assert where(policy, calendars, work(region="na"), utc(2026, 3, 10, 21, 30)) == "emea"
    assert where(policy, calendars, work(region="na"), utc(2026, 2, 10, 21, 30)) is None
    # And EMEA's work reaches North America at 16:00 UTC, which opened at 12:00.
    assert where(policy, calendars, work(), utc(2026, 3, 10, 16, 0)) == "na"


def test_hand_back_returns_a_case_home_when_the_policy_says_so(
    policy: Policy, calendars: Mapping[str, BusinessCalendar]
) -> None:
    away = work(region="na")
    morning_overlap = utc(2026, 2, 11, 14, 0)  # both open
    assert where(policy, calendars, away, morning_overlap) is None
    rule = dataclasses.replace(policy.routing.follow_the_sun, hand_back=True)  # type: ignore[arg-type]
    handing_back = dataclasses.replace(
        policy, routing=dataclasses.replace(policy.routing, follow_the_sun=rule)
    )
    assert where(handing_back, calendars, away, morning_overlap) == "emea"


def test_agents_are_asked_for_a_note_in_the_last_minutes_before_closing(
    policy: Policy, calendars: Mapping[str, BusinessCalendar]
) -> None:
    emea = policy.region("emea")
    assert closing_within(calendars, emea, utc(2026, 2, 10, 15, 45), 30)
    assert not closing_within(calendars, emea, utc(2026, 2, 10, 15, 0), 30)
    assert not closing_within(calendars, emea, utc(2026, 2, 10, 16, 15), 30)  # closed


def test_a_policy_without_the_rule_or_with_one_region_hands_nothing_over(
    policy: Policy, calendars: Mapping[str, BusinessCalendar]
) -> None:
    silent = dataclasses.replace(
        policy, routing=dataclasses.replace(policy.routing, follow_the_sun=None)
    )
    assert where(silent, calendars, work(), utc(2026, 2, 10, 16, 30)) is None
