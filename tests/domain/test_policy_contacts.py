"""The policy file's ``contacts`` section: both shipped policies carry their seeds'
contact directory, and a bad entry is refused naming its key path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from supportdesk.domain.errors import PolicyError
from supportdesk.domain.policy import load_policy

POLICIES = Path(__file__).resolve().parents[2] / "policies"


def _policy_data(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((POLICIES / f"{name}.yaml").read_text("utf-8"))
    return data


def _problems(contacts: object) -> list[str]:
    data = _policy_data("partner-services")
    data["contacts"] = contacts
    with pytest.raises(PolicyError) as caught:
        load_policy(data)
    return [str(p) for p in caught.value.problems]


def test_partner_services_lists_seed_000s_numbers_emergency_line_and_address() -> None:
    contacts = load_policy(_policy_data("partner-services")).contacts
    assert contacts.email == "customercare@inntopia.com"
    assert [p.number for p in contacts.phones] == ["+1 802-253-2905", "+1 877-740-4143"]
    assert contacts.emergency_line is not None
    assert contacts.emergency_line.number == "+1 888-492-3332"
    assert [p.role for p in contacts.people] == ["Strategic Account Manager"]
    assert "no escalation process" in contacts.more_attention


def test_follow_the_sun_names_seed_001s_account_and_customer_success_managers() -> None:
    contacts = load_policy(_policy_data("follow-the-sun")).contacts
    assert [p.role for p in contacts.people] == ["Account Manager", "Customer Success Manager"]
    assert contacts.email == "" and contacts.phones == ()


def test_a_policy_without_contacts_has_none() -> None:
    data = _policy_data("partner-services")
    del data["contacts"]
    assert not load_policy(data).contacts


def test_a_number_that_is_no_phone_number_is_refused_naming_it() -> None:
    problems = _problems({"phones": [{"label": "Desk", "number": "call us"}]})
    assert problems == [
        "contacts.phones[0].number: 'call us' is not a phone number (7 to 15 digits)"
    ]


def test_a_bad_address_a_missing_label_and_an_unknown_key_are_all_named() -> None:
    problems = _problems(
        {
            "email": "customercare",
            "emergency_line": {"number": "+1 888-492-3332"},
            "people": [{"about": "x"}],
            "fax": "1",
        }
    )
    assert "contacts.email: 'customercare' is not an email address" in problems
    assert "contacts.emergency_line.label: is required" in problems
    assert "contacts.people[0].role: is required" in problems
    assert any(p.startswith("contacts.fax: unknown key") for p in problems)


def test_a_changed_phone_number_is_a_policy_change() -> None:
    from supportdesk.domain.policy.diff import diff_policies

    old = load_policy(_policy_data("partner-services"))
    data = _policy_data("partner-services")
    data["contacts"]["emergency_line"]["number"] = "+1 888-000-1111"
    changes = diff_policies(old, load_policy(data), years=[2026])
    assert [str(c) for c in changes] == [
        "contacts: emergency line number: +1 888-492-3332 → +1 888-000-1111"
    ]
