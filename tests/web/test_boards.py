"""The read-only boards: the policy in force, escalations and on call."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from supportdesk.accounts.models import Role
from supportdesk.cases import services
from supportdesk.cases.drafts import CaseDraft
from supportdesk.escalations.models import EscalationChannel
from supportdesk.escalations.services import request_escalation
from tests.factories import make_org, make_user
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_policy_page_shows_hours_holidays_of_the_year_and_targets(
    agent_client: Client, organisation: Any, frozen_clock: Any
) -> None:
    html = agent_client.get("/console/policy/?year=2027").content.decode()
    assert "Support hours and holidays in 2027" in html
    assert 'datetime="2027-11-25"' in html and "Thanksgiving Day: closed" in html
    assert "Friday after Thanksgiving: 10:00-18:00" in html
    assert "Monday</dt><dd>09:00-20:00" in html and "Sunday</dt><dd>closed" in html
    assert "First response within 12 hours, around the clock" in html


def test_the_customer_sees_their_own_support_policy(
    customer_client: Client, frozen_clock: Any
) -> None:
    html = customer_client.get("/portal/support/").content.decode()
    assert "Support hours and holidays in 2026" in html
    assert "Thanksgiving Day: closed" in html


def test_the_boards_are_for_staff_only(customer_client: Client, db: None) -> None:
    for url in ("/console/policy/", "/console/escalations/", "/console/on-call/"):
        assert customer_client.get(url).status_code == 404


def test_the_on_call_page_renders_without_schedules(agent_client: Client) -> None:
    html = agent_client.get("/console/on-call/").content.decode()
    assert "No on-call schedules." in html and "No open pages." in html


def test_the_escalation_board_lists_a_declined_request(
    policies: Any, agent: Any, frozen_clock: Any
) -> None:
    org = make_org(name="Nordic Retail", region="na", policy=policies["follow-the-sun"])
    customer = make_user(role=Role.CUSTOMER, organization=org)
    case, _ = services.open_case(
        customer,
        CaseDraft(
            organisation_id=org.pk,
            channel="portal",
            environment="production",
            request_type="incident",
            title="Exports fail",
            description="Broken.",
            answers={
                "production": True,
                "blocked": False,
                "significant_impact": True,
                "cosmetic": False,
            },
        ),
    )
    # By mail, a request missing its mandatory fields is stored declined (ESC-4, ESC-5).
    request_escalation(
        requester=customer, form={"incident": case.reference}, channel=EscalationChannel.EMAIL
    )
    html = client_for(agent).get("/console/escalations/").content.decode()
    assert case.reference in html
    assert "Recently finished" in html and "Declined" in html


def test_the_reports_page_draws_svg_charts_of_received_cases_and_sla_outcomes(
    agent_client: Client, customer: Any, organisation: Any, frozen_clock: Any
) -> None:
    from tests.web.conftest import open_sev

    open_sev(customer, organisation, severity=2)
    open_sev(customer, organisation, severity=3)
    page = agent_client.get("/console/reports/?days=30")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and 'class="sev-2"' in html and 'class="seg-running"' in html
    assert "<dt>Cases received</dt><dd>2</dd>" in html
    assert "Escalations by region" not in html  # figures across regions are for managers


def test_customers_get_404_from_reports(customer_client: Client) -> None:
    assert customer_client.get("/console/reports/").status_code == 404


def _requested_escalation(policies: Any, impact: str = "All channels down") -> Any:
    org = make_org(name="Nordic Retail", region="emea", policy=policies["follow-the-sun"])
    customer = make_user(role=Role.CUSTOMER, organization=org)
    case, _ = services.open_case(
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
    return request_escalation(
        requester=customer,
        form={
            "incident": case.reference,
            "business_impact": impact,
            "affected_users": "All 40 users",
            "contact": "Björn",
            "partner_extension": False,
        },
    )


def test_a_manager_accepts_and_declines_from_the_board(policies: Any, frozen_clock: Any) -> None:
    from supportdesk.accounts.models import TeamKind
    from tests.factories import make_team

    manager = make_user(
        role=Role.ESCALATION_MANAGER, team=make_team(region="emea", kind=TeamKind.ESCALATION)
    )
    first = _requested_escalation(policies)
    second = _requested_escalation(policies, impact="Slow exports")
    c = client_for(manager)
    html = c.get("/console/escalations/").content.decode()
    assert f'action="/console/escalations/{first.pk}/accept"' in html
    assert c.post(f"/console/escalations/{first.pk}/accept", {"note": "On it"}).status_code == 302
    first.refresh_from_db()
    assert first.status in ("accepted", "acknowledged") and first.manager is not None
    asked = c.post(
        f"/console/escalations/{second.pk}/decline",
        {"reason": "no_tangible_impact", "note": "A workaround exists", "back": "board"},
    )
    assert asked.status_code == 200 and 'id="confirm-decline"' in asked.content.decode()
    second.refresh_from_db()
    assert second.status == "requested"
    page = c.post(
        f"/console/escalations/{second.pk}/decline",
        {"reason": "no_tangible_impact", "note": "A workaround exists", "confirm": "yes"},
    )
    assert page.status_code == 302
    second.refresh_from_db()
    assert second.status == "declined"


def test_agents_cannot_decide_escalations(policies: Any, agent: Any, frozen_clock: Any) -> None:
    esc = _requested_escalation(policies)
    c = client_for(agent)
    c.post(f"/console/escalations/{esc.pk}/accept", {})
    esc.refresh_from_db()
    assert esc.status == "requested"
