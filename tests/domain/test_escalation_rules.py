"""Escalation rules (ESC-1..9) against the shipped follow-the-sun policy."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from supportdesk.domain.calendars import build_calendars
from supportdesk.domain.errors import DomainError
from supportdesk.domain.escalation import (
    Assessment,
    IncidentFacts,
    ManagerAssignment,
    Verdict,
    assess_escalation_request,
    choose_escalation_manager_region,
    reminder_schedule,
    validate_closure_reason,
)
from supportdesk.domain.policy import load_policy_text

POLICIES = Path(__file__).resolve().parents[2] / "policies"
SUN = load_policy_text((POLICIES / "follow-the-sun.yaml").read_text())
PARTNER = load_policy_text((POLICIES / "partner-services.yaml").read_text())
CALENDARS = build_calendars(SUN.calendars)
assert SUN.escalation is not None
RULES = SUN.escalation

UTC = dt.UTC
STOCKHOLM = ZoneInfo("Europe/Stockholm")
NEW_YORK = ZoneInfo("America/New_York")
NOW = dt.datetime(2026, 2, 10, 11, 0, tzinfo=UTC)


def at(text: str, zone: dt.tzinfo = UTC) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=zone)


FORM = {
    "incident": "INC-1042",
    "business_impact": "Product feeds to 14 web shops have stopped.",
    "affected_users": "All merchandisers; orders are at risk.",
    "contact": "Ana Berg, ana@example.com, +46 8 123 456 78",
    "partner_extension": False,
}
INCIDENT = IncidentFacts(organisation_id="org-1", environment="production", severity=1)


def assess(
    form: dict[str, object] | None = None,
    incident: IncidentFacts | None = INCIDENT,
    requester: str = "org-1",
) -> Assessment:
    return assess_escalation_request(
        policy=SUN,
        form=FORM if form is None else form,
        incident=incident,
        requester_org_id=requester,
        now=NOW,
    )


# -- assessment (ESC-1..5) ------------------------------------------------------------------


def test_esc_1_no_incident_is_declined_at_once() -> None:
    result = assess(incident=None)
    assert result.verdict is Verdict.DECLINED
    assert result.reason_keys == ("no_incident",)
    assert result.reasons[0].label == "No incident with that reference in your organisation"


def test_esc_1_another_organisations_incident_is_declined_exactly_as_a_missing_one() -> None:
    # No existence oracle: the answer cannot tell "exists elsewhere" from "does not exist".
    foreign = assess(requester="org-2")
    assert (foreign.verdict, foreign.reason_keys) == (Verdict.DECLINED, ("no_incident",))
    assert foreign.explanation == assess(incident=None).explanation


def test_esc_1_the_partner_serving_the_client_may_escalate_its_incident() -> None:
    served = dataclasses.replace(INCIDENT, serving_partner_id="partner-7")
    assert assess(incident=served, requester="partner-7").verdict is Verdict.QUALIFIES
    assert assess(incident=served, requester="partner-8").reason_keys == ("no_incident",)


@pytest.mark.parametrize("empty", [None, "", "   ", []])
def test_esc_4_missing_business_impact_is_declined_with_its_reason(empty: object) -> None:
    result = assess({**FORM, "business_impact": empty})
    assert result.verdict is Verdict.DECLINED
    assert result.reason_keys == ("missing_business_impact",)
    assert result.missing_fields == ("business_impact",)
    assert "Business Impact" in result.explanation


def test_esc_4_other_missing_fields_are_listed_by_field() -> None:
    form = {k: v for k, v in FORM.items() if k not in {"contact", "affected_users"}}
    result = assess(form)
    assert result.verdict is Verdict.DECLINED
    assert result.reason_keys == ("other",)
    assert result.missing_fields == ("affected_users", "contact")


def test_esc_4_every_missing_field_is_reported_at_once() -> None:
    result = assess({"incident": "INC-1042"})
    assert result.reason_keys == ("missing_business_impact", "other")
    assert result.missing_fields == ("business_impact", "affected_users", "contact")


def test_esc_4_an_optional_field_may_be_left_out() -> None:
    form = {k: v for k, v in FORM.items() if k != "partner_extension"}
    assert assess(form).verdict is Verdict.QUALIFIES


def test_esc_2_production_with_tangible_impact_qualifies() -> None:
    result = assess()
    assert (result.verdict, result.reasons) == (Verdict.QUALIFIES, ())


@pytest.mark.parametrize(
    ("environment", "severity", "concerns"),
    [
        ("staging", 1, ("not_production",)),
        ("production", 3, ("no_tangible_impact",)),
        ("test", 4, ("not_production", "no_tangible_impact")),
    ],
)
def test_esc_2_non_production_or_no_tangible_impact_needs_a_decision_never_auto_accept(
    environment: str, severity: int, concerns: tuple[str, ...]
) -> None:
    incident = dataclasses.replace(INCIDENT, environment=environment, severity=severity)
    result = assess(incident=incident)
    assert result.verdict is Verdict.NEEDS_DECISION
    assert result.reason_keys == concerns


def test_esc_2_tangible_severities_can_be_given() -> None:
    incident = dataclasses.replace(INCIDENT, severity=3)
    result = assess_escalation_request(
        policy=SUN,
        form=FORM,
        incident=incident,
        requester_org_id="org-1",
        now=NOW,
        tangible_severities={1, 2, 3},
    )
    assert result.verdict is Verdict.QUALIFIES


def test_esc_3_partner_extension_goes_to_the_partner_first_and_records_it() -> None:
    incident = dataclasses.replace(INCIDENT, partner_extension=True, partner_org_id="partner-9")
    result = assess(incident=incident)
    assert result.verdict is Verdict.PARTNER_FIRST
    assert result.reason_keys == ("partner_first",)
    assert result.partner_org_id == "partner-9"
    assert "partner-9" in result.explanation


def test_esc_3_the_forms_partner_extension_answer_counts_too() -> None:
    result = assess({**FORM, "partner_extension": True})
    assert result.verdict is Verdict.PARTNER_FIRST
    assert result.partner_org_id is None


def test_esc_3_partner_first_keeps_the_concerns_for_later() -> None:
    incident = dataclasses.replace(INCIDENT, partner_extension=True, environment="staging")
    assert assess(incident=incident).reason_keys == ("partner_first", "not_production")


def test_esc_1_declines_come_before_partner_and_decision_rows() -> None:
    incident = dataclasses.replace(INCIDENT, partner_extension=True, environment="staging")
    assert assess(incident=incident, requester="org-2").verdict is Verdict.DECLINED


def test_a_policy_without_escalations_refuses_to_assess() -> None:
    with pytest.raises(DomainError):
        assess_escalation_request(
            policy=PARTNER, form=FORM, incident=INCIDENT, requester_org_id="org-1", now=NOW
        )


# -- who acknowledges (ESC-6, ESC-7) ----------------------------------------------------------


def manager(local: str, region: str = "emea", zone: dt.tzinfo = STOCKHOLM) -> ManagerAssignment:
    return choose_escalation_manager_region(
        policy=SUN, calendars=CALENDARS, client_region=region, now=at(local, zone)
    )


def test_esc_7_request_at_1800_stockholm_for_emea_client_is_acknowledged_by_north_america() -> None:
    result = manager("2026-02-10 18:00")  # a Tuesday: EMEA closed, North America open
    assert (result.region, result.open_now) == ("na", True)
    # Two business hours on North America's calendar: 12:00 -> 14:00 New York.
    assert result.acknowledge_by == at("2026-02-10 14:00", NEW_YORK)
    assert "EST" in result.explanation


def test_esc_7_1200_stockholm_is_emea() -> None:
    result = manager("2026-02-10 12:00")
    assert (result.region, result.open_now) == ("emea", True)
    assert result.acknowledge_by == at("2026-02-10 14:00", STOCKHOLM)


def test_esc_7_0300_stockholm_no_region_open_is_due_at_next_opening() -> None:
    result = manager("2026-02-11 03:00")
    assert (result.region, result.open_now) == ("emea", False)
    assert result.starts_at == at("2026-02-11 08:00", STOCKHOLM)
    assert result.acknowledge_by == at("2026-02-11 10:00", STOCKHOLM)


def test_esc_7_saturday_is_acknowledged_from_the_next_opening_on_monday() -> None:
    result = manager("2026-02-14 12:00", region="na")
    assert (result.region, result.open_now) == ("emea", False)
    assert result.starts_at == at("2026-02-16 08:00", STOCKHOLM)


def test_esc_7_acknowledgement_counts_on_the_acknowledging_regions_calendar() -> None:
    # 16:30 Stockholm: EMEA open for 30 more minutes; the rest counts from 08:00 next day.
    result = manager("2026-02-10 16:30")
    assert result.region == "emea"
    assert result.acknowledge_by == at("2026-02-11 09:30", STOCKHOLM)


def test_esc_7_north_america_client_at_1600_new_york_is_its_own_region() -> None:
    result = manager("2026-02-10 16:00", region="na", zone=NEW_YORK)
    assert result.region == "na"
    assert result.acknowledge_by == at("2026-02-11 09:00", NEW_YORK)


# -- reminders and no-response closure (ESC-8) ------------------------------------------------


def test_esc_8_reminders_follow_business_hours_of_the_recipient_region() -> None:
    emea = CALENDARS["emea"]
    schedule = reminder_schedule(
        policy=SUN, calendar=emea, waiting_since=at("2026-02-13 15:00", STOCKHOLM)
    )
    # 16 h: Fri 15-17 (2) + Mon 9 h (11) + Tue 08-13 (16).
    # 24 h: Tue 13-17 (4) + Wed (13) + Thu (22) + Fri 08-10 (24).
    # 40 h: Fri 10-17 (7) + Mon (16) + Tue (25) + Wed (34) + Thu 08-14 (40).
    assert schedule.reminders == (
        at("2026-02-17 13:00", STOCKHOLM),
        at("2026-02-20 10:00", STOCKHOLM),
        at("2026-02-26 14:00", STOCKHOLM),
    )
    assert schedule.close_reason.key == "no_response"
    assert schedule.close_at == emea.add(schedule.reminders[-1], dt.timedelta(hours=40))


@pytest.mark.parametrize(
    "start",
    [
        "2026-02-13 16:59",  # a minute before closing on a Friday
        "2026-02-14 23:59",  # Saturday night
        "2026-03-27 16:00",  # the Friday before the EU changes to summer time
        "2026-04-02 12:00",  # before Good Friday and Easter Monday (SE)
        "2026-12-23 12:00",  # before Christmas Eve / Day and Boxing Day (SE)
    ],
)
def test_esc_8_reminders_never_fall_at_night_or_on_a_weekend(start: str) -> None:
    emea = CALENDARS["emea"]
    schedule = reminder_schedule(policy=SUN, calendar=emea, waiting_since=at(start, STOCKHOLM))
    previous = at(start, STOCKHOLM)
    for instant, seconds in zip(schedule.reminders, RULES.reminders_after_seconds, strict=True):
        local = instant.astimezone(STOCKHOLM)
        assert local.weekday() < 5
        assert dt.time(8, 0) < local.time() <= dt.time(17, 0)
        assert not any(h.date == local.date() for h in emea.holidays(local.year))
        assert emea.elapsed(previous, instant) == dt.timedelta(seconds=seconds)
        previous = instant


def test_esc_8_closure_reasons_are_exactly_the_policys_list() -> None:
    keys = [r.key for r in RULES.closure_reasons]
    assert keys == [
        "resolved",
        "declined",
        "best_practices",
        "outside_core",
        "acceptable_pace",
        "no_response",
    ]
    for key in keys:
        assert validate_closure_reason(policy=SUN, reason=key).key == key


@pytest.mark.parametrize("reason", ["", "Resolved", "resolved ", "fixed", "closed", "other"])
def test_esc_8_anything_else_is_refused_naming_the_allowed_reasons(reason: str) -> None:
    with pytest.raises(DomainError) as info:
        validate_closure_reason(policy=SUN, reason=reason)
    assert info.value.field == "closure_reason"
    assert "acceptable_pace" in info.value.message
