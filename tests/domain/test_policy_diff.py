"""``diff_policies`` on hand-made pairs of policy files (issue 22)."""

from __future__ import annotations

from pathlib import Path

from supportdesk.domain.policy import load_policy_text
from supportdesk.domain.policy.diff import diff_policies

POLICIES = Path(__file__).resolve().parents[2] / "policies"
PARTNER_TEXT = (POLICIES / "partner-services.yaml").read_text()
PARTNER = load_policy_text(PARTNER_TEXT)
YEARS = (2027, 2028)


def changed(text: str) -> list[str]:
    return [str(c) for c in diff_policies(PARTNER, load_policy_text(text), years=YEARS)]


def test_a_policy_equals_itself_even_under_another_version_number() -> None:
    assert changed(PARTNER_TEXT) == []
    assert changed(PARTNER_TEXT.replace('version: "2026.5"', 'version: "2027.1"')) == []


def test_weekday_hours_are_listed_per_calendar_and_day() -> None:
    text = PARTNER_TEXT.replace('sat: ["10:00-18:00"]', "sat: closed")
    assert changed(text) == ["calendars.support: Saturday 10:00-18:00 → closed"]


def test_a_removed_holiday_lists_its_dates_in_the_compared_years() -> None:
    text = PARTNER_TEXT.replace(
        '      - {name: Labor Day, nth_weekday: {month: 9, weekday: mon, n: 1}, hours: ["10:00-18:00"]}\n',
        "",
    )
    assert changed(text) == [
        "calendars.support: holiday 'Labor Day' removed: 2027-09-06, 2028-09-04"
    ]


def test_a_moved_holiday_and_a_closure_become_two_changes() -> None:
    text = PARTNER_TEXT.replace(
        'fixed: {month: 7, day: 4}, hours: ["10:00-18:00"]',
        "fixed: {month: 7, day: 4, observed: nearest_weekday}, hours: closed",
    )
    # 2027-07-04 is a Sunday: observed Monday the 5th; 2028-07-04 is a Tuesday.
    assert changed(text) == [
        "calendars.support: holiday 'Fourth of July' moved: 2027-07-04, 2028-07-04 "
        "→ 2027-07-05, 2028-07-04",
        "calendars.support: holiday 'Fourth of July' hours 10:00-18:00 → closed",
    ]


def test_an_added_holiday_is_listed_with_its_dates() -> None:
    text = PARTNER_TEXT.replace(
        "      - {name: Christmas Day,",
        "      - {name: Christmas Eve, fixed: {month: 12, day: 24}, hours: closed}\n"
        "      - {name: Christmas Day,",
    )
    assert changed(text) == [
        "calendars.support: holiday 'Christmas Eve' added: 2027-12-24, 2028-12-24"
    ]


def test_targets_per_severity_are_compared() -> None:
    text = PARTNER_TEXT.replace(
        "{severity: 2, target: first_response, hours: 24, clock: support}",
        "{severity: 2, target: first_response, hours: 16, clock: support}",
    )
    assert changed(text) == [
        "sla: severity 2 first response 24 hours on support → 16 hours on support"
    ]


def test_the_two_shipped_policies_differ_in_every_section_issue_22_names() -> None:
    sun = load_policy_text((POLICIES / "follow-the-sun.yaml").read_text())
    sections = {c.section for c in diff_policies(PARTNER, sun, years=YEARS)}
    assert {"calendars.support", "calendars.emea", "sla", "regions", "routing"} <= sections
    assert {"notifications", "escalation"} <= sections


def test_closure_reasons_added_and_reworded_are_named_by_key() -> None:
    sun_text = (POLICIES / "follow-the-sun.yaml").read_text()
    sun = load_policy_text(sun_text)
    text = sun_text.replace("{key: declined, label: Declined}", "{key: declined, label: Refused}")
    text = text.replace(
        "    - {key: best_practices,",
        "    - {key: duplicate, label: A duplicate of another escalation}\n"
        "    - {key: best_practices,",
    )
    assert [str(c) for c in diff_policies(sun, load_policy_text(text), years=YEARS)] == [
        "escalation: closure reason 'duplicate' added (A duplicate of another escalation)",
        "escalation: closure reason 'declined' reworded: 'Declined' → 'Refused'",
    ]
