"""Loading policies keeps every version; a case can always name the one it ran under."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from supportdesk.accounts.models import Organization, Role, User
from supportdesk.domain.errors import PolicyError
from supportdesk.policies.models import PolicyVersion
from supportdesk.policies.selectors import NoPolicy, current_version_for, parsed
from supportdesk.policies.services import PolicyVersionConflict, load_policy_version
from tests.conftest import policy_text
from tests.factories import load_shipped_policies, make_org, make_user

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
    bumped = edited.replace('version: "2026.5"', 'version: "2026.6"')
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


def test_a_version_joined_with_the_organisation_costs_no_statement_and_is_current() -> None:
    """The token and mail-sender reads bring the contract's current version with the
    organisation (``select_related`` of ``organization__policy__current_version``): a
    new case reads no version of its own, and a version loaded since the previous read
    is the one the next read brings."""
    policies = load_shipped_policies()
    org = make_org(policy=policies["partner-services"])
    user = make_user(role=Role.CUSTOMER, organization=org)
    read = (
        User.objects.filter(pk=user.pk)
        .select_related("organization__policy__current_version")
        .defer("organization__policy__current_version__source")
    )
    loaded = read.first()
    assert loaded is not None and loaded.organization is not None
    with CaptureQueriesContext(connection) as ctx:
        version = current_version_for(loaded.organization)
    assert len(ctx.captured_queries) == 0
    assert version.pk == policies["partner-services"].current_version_id
    assert version.get_deferred_fields() == {"source"}  # the policy text stays unread
    bumped = policy_text("partner-services").replace('version: "2026.5"', 'version: "2026.6"')
    newer = load_policy_version(text=bumped.replace("hours: 12,", "hours: 10,")).version
    again = read.first()
    assert again is not None and again.organization is not None
    assert current_version_for(again.organization).pk == newer.pk
    # An organisation read without the joins pays one statement, with the same answer.
    with CaptureQueriesContext(connection) as ctx:
        assert current_version_for(Organization.objects.get(pk=org.pk)).pk == newer.pk
    assert len(ctx.captured_queries) == 2  # the organisation, then its version
