"""ESC-1..8 in the browser: a customer requests an escalation of their incident, an
escalation manager accepts, acknowledges, posts an update and closes it with one of the
policy's reasons; the customer follows it on the case page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from supportdesk import clock
from supportdesk.accounts.models import Role, TeamKind, User
from supportdesk.cases import services
from supportdesk.cases.drafts import CaseDraft
from supportdesk.escalations.models import Escalation
from tests.e2e.conftest import login, shot
from tests.factories import load_shipped_policies, make_org, make_team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-password"
#: Tuesday 10:00 UTC: Stockholm's support and escalation desks are open.
TUESDAY = dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def people(db: None, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setattr(clock, "now", lambda: TUESDAY)
    policies = load_shipped_policies()
    team = make_team(region="emea", kind=TeamKind.ESCALATION)
    manager = User.objects.create_user(
        username="elin",
        password=PASSWORD,
        role=Role.ESCALATION_MANAGER,
        team=team,
        first_name="Elin",
        last_name="Berg",
        time_zone="Europe/Stockholm",
    )
    org = make_org(name="Nordic Retail", region="emea", policy=policies["follow-the-sun"])
    customer = User.objects.create_user(
        username="bjorn",
        password=PASSWORD,
        role=Role.CUSTOMER,
        organization=org,
        first_name="Björn",
        last_name="Lind",
        time_zone="Europe/Stockholm",
    )
    case, _ = services.open_case(
        customer,
        CaseDraft(
            organisation_id=org.pk,
            channel="portal",
            environment="production",
            request_type="incident",
            title="Publishing to every channel fails",
            description="Every publish job ends in an error since 09:00.",
            answers={
                "production": True,
                "blocked": True,
                "significant_impact": True,
                "cosmetic": False,
            },
            callback_number="+46 8 123 456 78",
        ),
    )
    return {"manager": manager, "customer": customer, "case": case}


def test_an_escalation_is_requested_accepted_updated_and_closed_with_a_reason(
    browser: Any, live_server: Any, people: dict[str, Any]
) -> None:
    case = people["case"]
    base = live_server.url

    customer = browser.new_page(viewport={"width": 1280, "height": 900})
    login(customer, base, "bjorn", PASSWORD)
    customer.goto(f"{base}/portal/cases/{case.pk}/")
    customer.click("summary:has-text('Request an escalation')")
    customer.fill("#id_business_impact", "No orders reach the web shop; 40k EUR an hour.")
    customer.fill("#id_affected_users", "All 40 shop staff and every customer")
    customer.fill("#id_contact", "Björn Lind, bjorn@nordic.example, +46 8 123 456 78")
    customer.check("#id_partner_extension_1")
    customer.click("button:has-text('Request the escalation')")
    customer.wait_for_load_state("networkidle")
    assert "Requested" in customer.inner_text("#escalation")
    esc = Escalation.objects.get()
    assert esc.status == "requested"

    manager = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    login(manager, base, "elin", PASSWORD)
    manager.goto(f"{base}/console/escalations/")
    shot(manager, "escalation-board-requested")
    manager.click(f"#escalation-{esc.pk} a:has-text('Escalation {esc.pk}')")
    manager.fill("#acc-note", "Production publishing is down: accepted.")
    manager.click("#accept")
    manager.wait_for_selector("#escalation-status:has-text('Accepted')")
    assert "Elin Berg" in manager.inner_text("#escalation-manager")
    manager.fill("#ack-status", "Publisher queue is stuck on one node")
    manager.fill("#ack-next", "Restart the node, then watch the queue for an hour")
    manager.click("#acknowledge")
    manager.wait_for_selector("#escalation-status:has-text('Acknowledged')")
    manager.fill("#id_body", "The node is restarted; the queue is draining.")
    manager.click("button:has-text('Send the update')")
    manager.wait_for_selector("#escalation-log >> text=the queue is draining")
    manager.fill("#id_email", "cto@nordic.example")
    manager.click("button:has-text('Add a stakeholder')")
    manager.wait_for_selector("#stakeholders >> text=cto@nordic.example")
    reasons = manager.eval_on_selector_all(
        "#id_reason option", "options => options.map(o => o.value)"
    )
    assert reasons == [
        "resolved",
        "declined",
        "best_practices",
        "outside_core",
        "acceptable_pace",
        "no_response",
    ]
    shot(manager, "escalation-page-manager")
    manager.select_option("#id_reason", "resolved")
    manager.fill("#id_note", "Publishing works again; the client agreed.")
    manager.click("#close-escalation")
    # Closing asks first, on a page of its own (works without JavaScript too).
    manager.wait_for_selector("#escalation-confirm")
    assert "Resolved" in manager.inner_text("#confirm-reason")
    manager.click("#confirm-close")
    manager.wait_for_selector("#escalation-status:has-text('Closed')")
    esc.refresh_from_db()
    assert esc.status == "closed" and esc.closure_reason == "resolved"

    customer.goto(f"{base}/portal/cases/{case.pk}/")
    box = customer.inner_text(f"#portal-escalation-{esc.pk}")
    assert "Closed" in box and "Escalation Manager: Elin Berg" in box
    assert "The node is restarted; the queue is draining." in box
    assert "Resolved as agreed by client/partner" in box
    assert "cto@nordic.example" not in customer.content()
    shot(customer, "escalation-customer-case-page")

    phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    login(phone, base, "bjorn", PASSWORD)
    phone.goto(f"{base}/portal/cases/{case.pk}/")
    shot(phone, "escalation-customer-case-page-phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    manager_phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    login(manager_phone, base, "elin", PASSWORD)
    manager_phone.goto(f"{base}/console/escalations/{esc.pk}/")
    shot(manager_phone, "escalation-page-manager-phone")
    assert manager_phone.evaluate("document.documentElement.scrollWidth") <= 390
