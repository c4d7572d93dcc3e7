"""Routing (INT-2, SEV-3, RSP-1, ESC-7, ESC-9, HRS-3) against the shipped policy files.

Decision tables at the calendar edges: the minute before and after an opening or a
closing, the weeks when the US and EU daylight-saving dates differ, holidays.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supportdesk.domain.calendars import build_calendars
from supportdesk.domain.errors import DomainError
from supportdesk.domain.policy import load_policy_text
from supportdesk.domain.routing import (
    RouteAction,
    RouteDecision,
    coverage_gaps,
    decide_route,
    pick_region,
    validate_callback_number,
    weekly_coverage,
)

POLICIES = Path(__file__).resolve().parents[2] / "policies"
PARTNER = load_policy_text((POLICIES / "partner-services.yaml").read_text())
SUN = load_policy_text((POLICIES / "follow-the-sun.yaml").read_text())
PARTNER_CALENDARS = build_calendars(PARTNER.calendars)
SUN_CALENDARS = build_calendars(SUN.calendars)

UTC = dt.UTC
STOCKHOLM = ZoneInfo("Europe/Stockholm")
NEW_YORK = ZoneInfo("America/New_York")


def at(text: str, zone: dt.tzinfo = UTC) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=zone)


def sun_route(
    now: dt.datetime, region: str = "emea", severity: int = 3, kind: str = "incident"
) -> RouteDecision:
    return decide_route(
        policy=SUN,
        calendars=SUN_CALENDARS,
        now=now,
        severity=severity,
        request_type=kind,
        client_region=region,
    )


def partner_route(now: dt.datetime, severity: int = 3, kind: str = "incident") -> RouteDecision:
    return decide_route(
        policy=PARTNER,
        calendars=PARTNER_CALENDARS,
        now=now,
        severity=severity,
        request_type=kind,
        client_region=None,
    )


# -- follow-the-sun: ESC-9, HRS-3 -------------------------------------------------------
# February 2026: both zones on standard time. EMEA 08-17 Stockholm = 07:00-16:00 UTC,
# North America 08-17 New York = 13:00-22:00 UTC.


@pytest.mark.parametrize(
    ("local", "region", "action", "routed_to", "next_open"),
    [
        # The minute before and after EMEA opens (Tuesday 10 February 2026).
        ("2026-02-10 07:59", "emea", RouteAction.QUEUE, "emea", "2026-02-10 07:00"),
        ("2026-02-10 08:00", "emea", RouteAction.TEAM, "emea", None),
        # The minute before and after EMEA closes: North America is already open.
        ("2026-02-10 16:59", "emea", RouteAction.TEAM, "emea", None),
        ("2026-02-10 17:00", "emea", RouteAction.TEAM, "na", None),
        # ESC-9: a North America client goes to its own region when both are open.
        ("2026-02-10 15:00", "na", RouteAction.TEAM, "na", None),
        # Before North America opens its client is served by EMEA (follow-the-sun).
        ("2026-02-10 12:00", "na", RouteAction.TEAM, "emea", None),
        # The minute before and after North America closes (22:00 UTC = 23:00 Stockholm).
        ("2026-02-10 22:59", "emea", RouteAction.TEAM, "na", None),
        ("2026-02-10 23:00", "emea", RouteAction.QUEUE, "emea", "2026-02-11 07:00"),
        ("2026-02-10 23:00", "na", RouteAction.QUEUE, "emea", "2026-02-11 07:00"),
        # Saturday: the earliest opening is EMEA on Monday morning, for either client.
        ("2026-02-14 12:00", "emea", RouteAction.QUEUE, "emea", "2026-02-16 07:00"),
        ("2026-02-14 12:00", "na", RouteAction.QUEUE, "emea", "2026-02-16 07:00"),
    ],
)
def test_esc_9_hrs3_follow_the_sun_decision_table(
    local: str, region: str, action: RouteAction, routed_to: str, next_open: str | None
) -> None:
    decision = sun_route(at(local, STOCKHOLM), region=region)
    assert decision.action is action
    assert decision.region == routed_to
    assert decision.next_open == (None if next_open is None else at(next_open))


def test_esc_7_request_at_1800_stockholm_for_emea_client_is_routed_to_north_america() -> None:
    decision = sun_route(at("2026-02-10 18:00", STOCKHOLM))
    assert (decision.action, decision.region) == (RouteAction.TEAM, "na")
    assert "18:00 CET" in decision.explanation
    assert "12:00 EST" in decision.explanation
    assert "follow-the-sun" in decision.explanation


def test_hrs3_us_dst_moves_north_america_opening_an_hour_earlier_in_utc() -> None:
    # 12:30 UTC: before 08:00 EST on 3 March, after 08:00 EDT on 10 March (US changed
    # on 8 March, the EU only on 29 March).
    before = sun_route(at("2026-03-03 12:30"), region="na")
    after = sun_route(at("2026-03-10 12:30"), region="na")
    assert (before.action, before.region) == (RouteAction.TEAM, "emea")
    assert (after.action, after.region) == (RouteAction.TEAM, "na")


def test_hrs3_eu_dst_moves_emea_opening_an_hour_earlier_in_utc() -> None:
    # 06:30 UTC: 07:30 CET on 23 March (closed), 08:30 CEST on 30 March (open).
    assert sun_route(at("2026-03-23 06:30")).action is RouteAction.QUEUE
    assert sun_route(at("2026-03-23 06:30")).next_open == at("2026-03-23 07:00")
    decision = sun_route(at("2026-03-30 06:30"))
    assert (decision.action, decision.region) == (RouteAction.TEAM, "emea")


def test_esc_9_easter_monday_closes_emea_so_its_client_queues_for_north_america() -> None:
    decision = sun_route(at("2026-04-06 10:00", STOCKHOLM))
    assert decision.action is RouteAction.QUEUE
    assert decision.region == "na"
    assert decision.next_open == at("2026-04-06 08:00", NEW_YORK)
    assert "08:00 EDT" in decision.explanation


def test_follow_the_sun_policy_queues_sev1_after_hours_instead_of_paging() -> None:
    decision = sun_route(at("2026-02-11 03:00", STOCKHOLM), severity=1)
    assert decision.action is RouteAction.QUEUE
    assert not decision.needs_callback


def test_explanation_names_local_time_in_every_region_zone() -> None:
    text = sun_route(at("2026-02-11 03:00", STOCKHOLM)).explanation
    assert "Wed 2026-02-11 03:00 CET, Europe/Stockholm" in text
    assert "Tue 2026-02-10 21:00 EST, America/New_York" in text
    assert "EMEA opens at Wed 2026-02-11 08:00 CET" in text


# -- partner-services: INT-2, RSP-1, SEV-3 ------------------------------------------------


def test_int2_after_hours_sev1_pages_on_call_and_needs_callback() -> None:
    decision = partner_route(at("2026-03-10 21:30", NEW_YORK), severity=1)
    assert decision.action is RouteAction.PAGE_ON_CALL
    assert decision.needs_callback
    assert decision.region is None
    assert decision.next_open == at("2026-03-11 09:00", NEW_YORK)
    assert "callback" in decision.explanation


def test_int2_sev1_in_support_hours_goes_to_team_and_account_manager() -> None:
    decision = partner_route(at("2026-03-10 10:00", NEW_YORK), severity=1)
    assert (decision.action, decision.region) == (RouteAction.TEAM, "na")
    assert decision.notify_account_manager
    assert not decision.needs_callback


@pytest.mark.parametrize(
    ("local", "severity", "action"),
    [
        # Weekday 09:00-20:00 ET: the minute before and after opening and closing.
        ("2026-03-10 08:59", 1, RouteAction.PAGE_ON_CALL),
        ("2026-03-10 09:00", 1, RouteAction.TEAM),
        ("2026-03-10 19:59", 1, RouteAction.TEAM),
        ("2026-03-10 20:00", 1, RouteAction.PAGE_ON_CALL),
        ("2026-03-10 08:59", 3, RouteAction.QUEUE),
        ("2026-03-10 20:00", 3, RouteAction.QUEUE),
        # Saturday 10:00-18:00, Sunday closed.
        ("2026-03-14 09:59", 1, RouteAction.PAGE_ON_CALL),
        ("2026-03-14 10:00", 1, RouteAction.TEAM),
        ("2026-03-15 12:00", 1, RouteAction.PAGE_ON_CALL),
        # US DST day (Sunday 8 March): closed anyway; Monday 9 March opens at 09:00 EDT.
        ("2026-03-09 09:00", 2, RouteAction.TEAM),
        # HRS-2: Martin Luther King Jr. Day has reduced hours 10:00-18:00.
        ("2026-01-19 09:30", 1, RouteAction.PAGE_ON_CALL),
        ("2026-01-19 10:00", 1, RouteAction.TEAM),
        ("2026-01-19 18:00", 3, RouteAction.QUEUE),
        # HRS-2: Thanksgiving is closed, the Friday after has reduced hours.
        ("2026-11-26 12:00", 1, RouteAction.PAGE_ON_CALL),
        ("2026-11-27 09:30", 3, RouteAction.QUEUE),
        ("2026-11-27 10:00", 3, RouteAction.TEAM),
    ],
)
def test_int2_partner_services_decision_table(
    local: str, severity: int, action: RouteAction
) -> None:
    assert partner_route(at(local, NEW_YORK), severity=severity).action is action


def test_hrs2_sev3_on_thanksgiving_queues_until_friday_reduced_hours() -> None:
    decision = partner_route(at("2026-11-26 12:00", NEW_YORK))
    assert decision.next_open == at("2026-11-27 10:00", NEW_YORK)


def test_hrs2_christmas_on_friday_queues_until_saturday_1000() -> None:
    decision = partner_route(at("2026-12-25 11:00", NEW_YORK), severity=2)
    assert decision.action is RouteAction.QUEUE
    assert decision.next_open == at("2026-12-26 10:00", NEW_YORK)


NON_URGENT = [t.key for t in PARTNER.request_types if t.non_urgent]


@pytest.mark.parametrize("kind", NON_URGENT)
@pytest.mark.parametrize("local", ["2026-03-10 10:00", "2026-03-10 23:00", "2026-03-15 12:00"])
def test_sev3_non_urgent_type_asking_for_sev1_is_refused_at_any_time(kind: str, local: str) -> None:
    decision = partner_route(at(local, NEW_YORK), severity=1, kind=kind)
    assert decision.action is RouteAction.REFUSE
    assert not decision.needs_callback
    assert not decision.notify_account_manager
    assert "SEV-3" in decision.explanation
    assert "standard channel" in decision.explanation


def test_sev3_password_reset_never_takes_emergency_path() -> None:
    after_hours = partner_route(at("2026-03-10 23:00", NEW_YORK), severity=1, kind="password")
    assert after_hours.action is RouteAction.REFUSE
    # The guidance says when standard work is picked up.
    assert after_hours.next_open == at("2026-03-11 09:00", NEW_YORK)
    standard = partner_route(at("2026-03-10 23:00", NEW_YORK), severity=3, kind="password")
    assert standard.action is RouteAction.QUEUE


@given(
    minute=st.integers(min_value=0, max_value=60 * 24 * 365 - 1),
    kind=st.sampled_from([t.key for t in PARTNER.request_types]),
    severity=st.sampled_from([1, 2, 3, 4]),
)
@settings(max_examples=150, deadline=None)
def test_sev3_no_non_urgent_request_is_ever_paged(minute: int, kind: str, severity: int) -> None:
    now = at("2026-01-01 00:00") + dt.timedelta(minutes=minute)
    decision = partner_route(now, severity=severity, kind=kind)
    if PARTNER.request_type(kind).non_urgent:
        assert decision.action is not RouteAction.PAGE_ON_CALL
    # Paging happens exactly for an emergency severity when support is closed (INT-2).
    expected_page = (
        severity == 1
        and not PARTNER.request_type(kind).non_urgent
        and not PARTNER_CALENDARS["support"].is_open(now)
    )
    assert (decision.action is RouteAction.PAGE_ON_CALL) == expected_page


# -- inputs -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"severity": 7}, "severity"),
        ({"request_type": "nonsense"}, "request_type"),
        ({"client_region": "apac"}, "region"),
        ({"now": dt.datetime(2026, 3, 10, 12, 0)}, "now"),  # noqa: DTZ001 - naive on purpose
    ],
)
def test_bad_input_is_a_domain_error_naming_the_field(
    kwargs: dict[str, object], field: str
) -> None:
    args: dict[str, object] = {
        "policy": SUN,
        "calendars": SUN_CALENDARS,
        "now": at("2026-03-10 12:00"),
        "severity": 3,
        "request_type": "incident",
        "client_region": "emea",
        **kwargs,
    }
    with pytest.raises(DomainError) as info:
        decide_route(**args)  # type: ignore[arg-type]
    assert info.value.field == field


def test_no_client_region_means_the_policy_default_region() -> None:
    pick = pick_region(
        policy=SUN, calendars=SUN_CALENDARS, client_region=None, now=at("2026-02-10 12:00")
    )
    assert pick.region.key == "emea"
    assert pick.open_now
    assert not pick.follow_the_sun


# -- coverage gaps (HRS-3) ------------------------------------------------------------------


def night_gap(day: str) -> tuple[dt.datetime, dt.datetime]:
    """The coverage gap starting on the evening of ``day`` (a Tuesday)."""
    start = at(f"{day} 12:00")
    (gap, *_) = coverage_gaps(
        policy=SUN, calendars=SUN_CALENDARS, start=start, end=start + dt.timedelta(days=1)
    )
    return gap.start, gap.end


def test_hrs3_coverage_gap_moves_while_dst_dates_differ() -> None:
    # Both on standard time: 22:00-07:00 UTC.
    assert night_gap("2026-03-03") == (at("2026-03-03 22:00"), at("2026-03-04 07:00"))
    # US on daylight time since 8 March, EU not yet: 21:00-07:00 UTC (one hour longer).
    assert night_gap("2026-03-10") == (at("2026-03-10 21:00"), at("2026-03-11 07:00"))
    # Both on daylight time since 29 March: 21:00-06:00 UTC.
    assert night_gap("2026-03-31") == (at("2026-03-31 21:00"), at("2026-04-01 06:00"))
    # And in autumn the EU changes first (25 October), the US a week later (1 November).
    assert night_gap("2026-10-20") == (at("2026-10-20 21:00"), at("2026-10-21 06:00"))
    assert night_gap("2026-10-27") == (at("2026-10-27 21:00"), at("2026-10-28 07:00"))
    assert night_gap("2026-11-03") == (at("2026-11-03 22:00"), at("2026-11-04 07:00"))


def test_hrs3_weekly_coverage_shows_the_longer_gap_in_the_mismatch_weeks() -> None:
    weeks = {w.label: w for w in weekly_coverage(policy=SUN, calendars=SUN_CALENDARS, year=2026)}
    assert len(weeks) == 53  # ISO 2026 has 53 weeks
    # W11 (9-15 March) has NA closing at 21:00 UTC instead of 22:00 on five evenings
    # (four weeknights and the start of the weekend): five more uncovered hours than W10.
    assert weeks["2026-W11"].uncovered - weeks["2026-W10"].uncovered == dt.timedelta(hours=5)
    first_night = weeks["2026-W11"].gaps[1]
    assert (first_night.start, first_night.end) == (at("2026-03-09 21:00"), at("2026-03-10 07:00"))


def test_hrs3_weekend_gap_is_cut_at_the_iso_week_boundary() -> None:
    weeks = {w.label: w for w in weekly_coverage(policy=SUN, calendars=SUN_CALENDARS, year=2026)}
    w10, w11 = weeks["2026-W10"], weeks["2026-W11"]
    assert w10.gaps[-1].start == at("2026-03-06 22:00")  # Friday 17:00 EST, NA closes
    assert w10.gaps[-1].end == w10.end == at("2026-03-09 00:00")
    assert w11.gaps[0].start == w11.start
    assert w11.gaps[0].end == at("2026-03-09 07:00")


def test_hrs3_holiday_in_one_region_widens_the_gap() -> None:
    # Easter Monday (SE) 2026-04-06: EMEA closed; coverage starts when NA opens.
    weeks = {w.label: w for w in weekly_coverage(policy=SUN, calendars=SUN_CALENDARS, year=2026)}
    monday = weeks["2026-W15"].gaps[0]
    assert (monday.start, monday.end) == (at("2026-04-06 00:00"), at("2026-04-06 12:00"))


@given(minute=st.integers(min_value=0, max_value=60 * 24 * 7 * 6))
@settings(max_examples=200, deadline=None)
def test_hrs3_an_instant_is_in_a_gap_exactly_when_no_region_is_open(minute: int) -> None:
    start = at("2026-02-23 00:00")  # six weeks over both spring DST changes
    gaps = coverage_gaps(
        policy=SUN, calendars=SUN_CALENDARS, start=start, end=start + dt.timedelta(weeks=6)
    )
    t = start + dt.timedelta(minutes=minute)
    in_gap = any(g.start <= t < g.end for g in gaps)
    any_open = any(SUN_CALENDARS[r.calendar].is_open(t) for r in SUN.regions)
    assert in_gap == (not any_open and t < start + dt.timedelta(weeks=6))


def test_coverage_gaps_are_empty_for_an_empty_window() -> None:
    t = at("2026-03-10 00:00")
    assert coverage_gaps(policy=SUN, calendars=SUN_CALENDARS, start=t, end=t) == ()


# -- callback numbers (INT-2) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("+1 802-253-2905", None, "+18022532905"),
        ("(802) 253-2905", "US", "+18022532905"),
        ("(802) 253-2905", "us", "+18022532905"),
        ("+46 8 123 456 78", None, "+46812345678"),
        ("08-123 456 78", "SE", "+46812345678"),
    ],
)
def test_int2_callback_number_is_normalised_to_e164(
    raw: str, region: str | None, e164: str
) -> None:
    assert validate_callback_number(raw, region) == e164


@pytest.mark.parametrize(
    ("raw", "region", "reason"),
    [
        ("", None, "must leave a callback number"),
        ("   ", None, "must leave a callback number"),
        ("802-253-2905", None, "country code"),
        ("+1 555", None, "not a valid number"),
        ("call me", None, "not a phone number"),
        ("802-253-2905", "XX", "not a country code"),
    ],
)
def test_int2_bad_callback_number_is_refused_with_field_and_reason(
    raw: str, region: str | None, reason: str
) -> None:
    with pytest.raises(DomainError) as info:
        validate_callback_number(raw, region)
    assert info.value.field == "callback_number"
    assert reason in info.value.message
