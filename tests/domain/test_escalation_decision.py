"""The decision clock of a pending escalation request (ESC-5, ESC-7): the region open
now decides, in its business hours; a question to the requester pauses the clock and
the answer resumes it with the business time that was left."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from supportdesk.domain.calendars import build_calendars
from supportdesk.domain.errors import DomainError, PolicyError
from supportdesk.domain.escalation_decision import (
    DecisionClock,
    DecisionTimeLeft,
    decision_clock,
    pause_decision,
)
from supportdesk.domain.policy import load_policy_text

POLICIES = Path(__file__).resolve().parents[2] / "policies"
SUN_TEXT = (POLICIES / "follow-the-sun.yaml").read_text()
SUN = load_policy_text(SUN_TEXT)
PARTNER = load_policy_text((POLICIES / "partner-services.yaml").read_text())
CALENDARS = build_calendars(SUN.calendars)
STOCKHOLM = ZoneInfo("Europe/Stockholm")
NEW_YORK = ZoneInfo("America/New_York")
HOUR = dt.timedelta(hours=1)


def at(text: str, zone: ZoneInfo = STOCKHOLM) -> dt.datetime:
    """Wall time in ``zone`` (Wednesday 2026-03-11: the US on summer time, the EU not)."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=zone).astimezone(dt.UTC)


def clock_at(now: dt.datetime, left: DecisionTimeLeft | None = None) -> DecisionClock:
    """The clock of an EMEA client's request at ``now``."""
    return decision_clock(policy=SUN, calendars=CALENDARS, client_region="emea", now=now, left=left)


def test_the_shipped_policy_gives_the_team_four_business_hours_to_decide() -> None:
    assert SUN.escalation is not None
    assert SUN.escalation.decide_seconds == 4 * 3600


def test_decide_hours_defaults_to_acknowledge_hours() -> None:
    text = SUN_TEXT.replace("  decide_hours: 4\n", "")
    assert "decide_hours" not in text.split("escalation:")[1].split("email:")[0]
    policy = load_policy_text(text)
    assert policy.escalation is not None
    assert policy.escalation.decide_seconds == policy.escalation.acknowledge_seconds == 2 * 3600


def test_a_decide_hours_that_is_not_positive_is_refused_naming_the_key() -> None:
    with pytest.raises(PolicyError) as err:
        load_policy_text(SUN_TEXT.replace("decide_hours: 4", "decide_hours: 0"))
    assert any(p.path == "escalation.decide_hours" for p in err.value.problems)


def test_esc_7_in_the_clients_hours_its_own_region_decides_in_its_hours() -> None:
    clock = clock_at(at("2026-03-11T10:00"))
    assert clock.region == "emea"
    assert clock.open_now
    assert clock.decide_by == at("2026-03-11T14:00")
    assert clock.remind_at == at("2026-03-11T13:00")
    assert "EMEA, the client's region, is open" in clock.explanation


def test_esc_7_after_the_clients_hours_the_region_open_now_decides_in_its_hours() -> None:
    # 19:00 Stockholm is 14:00 in New York: three NA hours today, one tomorrow morning.
    clock = clock_at(at("2026-03-11T19:00"))
    assert clock.region == "na"
    assert clock.open_now
    assert clock.decide_by == at("2026-03-12T09:00", NEW_YORK)
    assert clock.remind_at == at("2026-03-11T17:00", NEW_YORK)
    assert "North America is open" in clock.explanation
    assert "decide by Thu 2026-03-12 09:00 EDT" in clock.explanation


def test_when_no_region_is_open_the_first_to_open_decides_from_its_opening() -> None:
    clock = clock_at(at("2026-03-12T03:00"))
    assert clock.region == "emea"
    assert not clock.open_now
    assert clock.decide_by == at("2026-03-12T12:00")


def test_a_policy_without_escalations_has_no_decision_clock() -> None:
    with pytest.raises(DomainError) as err:
        decision_clock(
            policy=PARTNER,
            calendars=build_calendars(PARTNER.calendars),
            client_region=None,
            now=at("2026-03-11T10:00"),
        )
    assert err.value.field == "policy"


def test_a_pause_keeps_the_business_time_left_until_the_deadline_and_the_reminder() -> None:
    start = clock_at(at("2026-03-11T15:00"))
    assert start.decide_by == at("2026-03-12T10:00")  # two hours today, two tomorrow
    assert start.remind_at == at("2026-03-12T09:00")
    left = pause_decision(
        calendar=CALENDARS["emea"],
        decide_by=start.decide_by,
        remind_at=start.remind_at,
        now=at("2026-03-11T16:00"),
    )
    assert left == DecisionTimeLeft(decide=3 * HOUR, remind=2 * HOUR)


@pytest.mark.parametrize(
    ("answered", "decide_by", "remind_at"),
    [
        # Answered overnight: nobody is open, EMEA opens first and the clock goes on.
        ("2026-03-11T23:00", "2026-03-12T11:00", "2026-03-12T10:00"),
        # Answered the next morning in EMEA's hours.
        ("2026-03-12T08:30", "2026-03-12T11:30", "2026-03-12T10:30"),
    ],
)
def test_the_answer_resumes_the_clock_with_the_same_business_time_left(
    answered: str, decide_by: str, remind_at: str
) -> None:
    left = DecisionTimeLeft(decide=3 * HOUR, remind=2 * HOUR)
    resumed = clock_at(at(answered), left)
    assert resumed.region == "emea"
    assert resumed.decide_by == at(decide_by)
    assert resumed.remind_at == at(remind_at)
    assert CALENDARS["emea"].elapsed(at(answered), resumed.decide_by) == 3 * HOUR


def test_answered_in_another_regions_hours_that_region_decides_with_the_time_left() -> None:
    left = DecisionTimeLeft(decide=3 * HOUR, remind=None)
    resumed = clock_at(at("2026-03-11T19:00"), left)
    assert resumed.region == "na"
    assert resumed.decide_by == at("2026-03-11T17:00", NEW_YORK)
    assert resumed.remind_at is None  # the team was reminded before the question


def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(DomainError) as err:
        clock_at(dt.datetime(2026, 3, 11, 10))  # noqa: DTZ001
    assert err.value.field == "now"
