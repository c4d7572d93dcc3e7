"""Where a callback number written without ``+`` and a country code is read: the
policy's ``intake.phone_country`` (data, not code: INT-2's numbers)."""

from __future__ import annotations

from pathlib import Path

import pytest

from supportdesk.domain.errors import DomainError, PolicyError
from supportdesk.domain.policy import load_policy_text
from supportdesk.domain.routing.callback import validate_callback_number

POLICIES = Path(__file__).resolve().parents[2] / "policies"
PARTNER_TEXT = (POLICIES / "partner-services.yaml").read_text()
SUN_TEXT = (POLICIES / "follow-the-sun.yaml").read_text()


def test_the_published_policies_name_their_phone_country_or_none() -> None:
    assert load_policy_text(PARTNER_TEXT).intake.phone_country == "US"
    assert load_policy_text(SUN_TEXT).intake.phone_country is None


def test_a_national_number_is_read_in_the_policys_country() -> None:
    swedish = load_policy_text(PARTNER_TEXT.replace("phone_country: US", "phone_country: se"))
    assert swedish.intake.phone_country == "SE"
    assert validate_callback_number("08-123 456 78", swedish.intake.phone_country) == (
        "+46812345678"
    )
    partner = load_policy_text(PARTNER_TEXT).intake.phone_country
    assert validate_callback_number("(802) 253-2905", partner) == "+18022532905"


def test_without_a_phone_country_a_national_number_is_refused() -> None:
    sun = load_policy_text(SUN_TEXT).intake.phone_country
    with pytest.raises(DomainError) as err:
        validate_callback_number("802 253 2905", sun)
    assert err.value.field == "callback_number"
    assert validate_callback_number("+1 802 253 2905", sun) == "+18022532905"


def test_an_unknown_phone_country_is_refused_naming_the_key() -> None:
    with pytest.raises(PolicyError) as err:
        load_policy_text(PARTNER_TEXT.replace("phone_country: US", "phone_country: XX"))
    problems = {p.path: p.reason for p in err.value.problems}
    assert "intake.phone_country" in problems
    assert "XX" in problems["intake.phone_country"]
