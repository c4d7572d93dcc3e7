"""Every element id on a page is unique, so each label and error names one field."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest
from django.test import Client

from supportdesk.accounts.models import Role, TeamKind
from supportdesk.cases import services as case_services
from supportdesk.cases.drafts import CaseDraft
from supportdesk.cases.models import Case
from supportdesk.escalations import services
from tests.factories import make_org, make_team, make_user
from tests.web.conftest import client_for
from tests.web.test_escalation_work import _accepted, _named

pytestmark = pytest.mark.django_db


def _duplicates(html: str) -> list[str]:
    ids = Counter(re.findall(r'\sid="([^"]+)"', html))
    return [i for i, n in ids.items() if n > 1]


def test_the_case_pages_have_unique_ids(
    agent_client: Client, customer_client: Client, sev2_case: Case
) -> None:
    for client, url in (
        (agent_client, f"/console/cases/{sev2_case.pk}/"),
        (customer_client, f"/portal/cases/{sev2_case.pk}/"),
    ):
        assert _duplicates(client.get(url).content.decode()) == [], url


def test_the_escalation_page_has_unique_ids(policies: Any, frozen_clock: Any) -> None:
    manager = _named(
        make_user(
            role=Role.ESCALATION_MANAGER,
            team=make_team(region="emea", kind=TeamKind.ESCALATION),
        ),
        "Elin",
    )
    org = make_org(name="Nordic Retail", region="emea", policy=policies["follow-the-sun"])
    customer = make_user(role=Role.CUSTOMER, organization=org)
    case, _ = case_services.open_case(
        customer,
        CaseDraft(
            organisation_id=org.pk,
            channel="portal",
            environment="production",
            request_type="incident",
            title="Publishing fails",
            description="Broken.",
            answers={
                "production": True,
                "blocked": True,
                "significant_impact": True,
                "cosmetic": False,
            },
            callback_number="+46 8 123 456 78",
        ),
    )
    esc = services.request_escalation(
        requester=customer,
        form={
            "incident": case.reference,
            "business_impact": "Down",
            "affected_users": "All",
            "contact": "Björn",
            "partner_extension": False,
        },
    )
    _accepted(esc, manager)
    html = client_for(manager).get(f"/console/escalations/{esc.pk}/").content.decode()
    assert 'id="handover_note"' in html and 'id="id_note"' in html
    assert _duplicates(html) == []


def test_the_reports_page_has_unique_ids(agent_client: Client, frozen_clock: Any) -> None:
    assert _duplicates(agent_client.get("/console/reports/").content.decode()) == []
