"""Loading policies keeps every version; a case can always name the one it ran under."""

from __future__ import annotations

import pytest

from supportdesk.accounts.models import Organization
from supportdesk.domain.errors import PolicyError
from supportdesk.policies.models import PolicyVersion
from supportdesk.policies.selectors import NoPolicy, current_version_for, parsed
from supportdesk.policies.services import PolicyVersionConflict, load_policy_version
from tests.conftest import policy_text
from tests.factories import load_shipped_policies, make_org

pytestmark = pytest.mark.django_db


def test_loading_the_same_file_twice_stores_one_version() -> None:
    first = load_policy_version(text=policy_text("partner-services"))
    again = load_policy_version(text=policy_text("partner-services"))
    assert first.created
    assert not again.created
    assert PolicyVersion.objects.count() == 1


def test_changed_content_needs_a_new_version_number() -> None:
    load_policy_version(text=policy_text("partner-services"))
    edited = policy_text("partner-services").replace("hours: 12,", "hours: 10,")
    with pytest.raises(PolicyVersionConflict) as err:
        load_policy_version(text=edited)
    assert err.value.field == "version"
    bumped = edited.replace('version: "2026.2"', 'version: "2026.3"')
    result = load_policy_version(text=bumped)
    assert result.created
    assert result.version.policy.current_version_id == result.version.pk
    assert PolicyVersion.objects.filter(policy__key="partner-services").count() == 2


def test_an_invalid_policy_stores_nothing() -> None:
    with pytest.raises(PolicyError):
        load_policy_version(
            text=policy_text("partner-services").replace(
                "zone: America/New_York", "zone: Nowhere/City"
            )
        )
    assert PolicyVersion.objects.count() == 0


def test_organisation_uses_its_contract_else_the_default() -> None:
    policies = load_shipped_policies()
    contracted = make_org(policy=policies["follow-the-sun"])
    default = make_org()
    assert parsed(current_version_for(contracted)).id == "follow-the-sun"
    assert parsed(current_version_for(default)).id == "partner-services"


def test_no_policy_loaded_is_a_clear_error() -> None:
    org: Organization = make_org()
    with pytest.raises(NoPolicy) as err:
        current_version_for(org)
    assert err.value.field == "policy"
