"""After hours, the report page promises the emergency path only where the policy has
one: partner-services pages the on-call engineer for a Sev1; follow-the-sun queues
every report until a region opens (``routing.after_hours_emergency: queue``), so its
customers are not told a critical issue reaches anyone before then."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from supportdesk.accounts.models import Role
from tests.factories import make_org, make_user
from tests.web.conftest import AFTER_HOURS, client_for

pytestmark = pytest.mark.django_db

PROMISES = (
    "still reaches the on-call engineer",
    "handled around the clock through the emergency path",
)


def test_a_paging_policy_promises_the_emergency_path_after_hours(
    customer_client: Client, frozen_clock: Any
) -> None:
    frozen_clock(AFTER_HOURS)
    html = customer_client.get("/portal/report/").content.decode()
    assert "Support is closed now" in html
    assert all(promise in html for promise in PROMISES)


def test_a_queueing_policy_does_not(policies: Any, frozen_clock: Any) -> None:
    frozen_clock(AFTER_HOURS)
    org = make_org(name="Nordic Retail AB", region="emea", policy=policies["follow-the-sun"])
    customer = make_user(role=Role.CUSTOMER, organization=org, username="bjorn")
    html = client_for(customer).get("/portal/report/").content.decode()
    assert "Support is closed now" in html
    assert not [promise for promise in PROMISES if promise in html]
