"""Escalations over HTTP: the same rules, with clear 4xx refusals naming the field."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from supportdesk import clock
from supportdesk.accounts.models import Organization, User
from supportdesk.accounts.services import issue_api_token
from supportdesk.cases.models import Case
from supportdesk.celery import PERIODIC, app
from supportdesk.escalations.models import Escalation, EscalationStatus
from tests.escalations.conftest import WEDNESDAY, MakeIncident, form_for, stockholm

pytestmark = pytest.mark.django_db


def bearer(user: User) -> Client:
    _, token = issue_api_token(user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(f"/api/escalations{path}", body, content_type="application/json")


def test_esc_1_http_request_without_incident_is_stored_declined_with_the_reason(
    customer: User,
) -> None:
    response = post(bearer(customer), "", {"form": form_for(None)})

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "declined"
    assert body["decision_reason"] == "no_incident"
    assert body["case_id"] is None


def test_esc_1_http_request_on_another_tenants_incident_is_declined(
    customer: User, stranger: User, other_client: Organization, make_incident: MakeIncident
) -> None:
    theirs = make_incident(other_client, stranger)

    body = post(bearer(customer), "", {"form": form_for(theirs)}).json()

    assert (body["status"], body["decision_reason"]) == ("declined", "no_incident")


def test_esc_4_http_request_missing_mandatory_fields_is_refused_naming_each_and_stores_nothing(
    customer: User, incident: Case
) -> None:
    form = form_for(incident, business_impact="", contact="  ")

    response = post(bearer(customer), "", {"form": form})

    assert response.status_code == 400, response.content
    body = response.json()
    assert body["field"] == "form.business_impact"
    assert body["problems"] == [
        {"field": "form.business_impact", "reason": "is required"},
        {"field": "form.contact", "reason": "is required"},
    ]
    assert "form.contact: is required" in body["detail"]
    assert not Escalation.objects.exists()


def test_http_request_with_a_key_not_on_the_policys_form_is_refused_naming_it(
    customer: User, incident: Case
) -> None:
    response = post(bearer(customer), "", {"form": form_for(incident, urgency="very")})

    assert response.status_code == 400, response.content
    assert response.json()["problems"] == [
        {"field": "form.urgency", "reason": "not a field of this policy's escalation form"}
    ]
    assert not Escalation.objects.exists()


@pytest.mark.parametrize("answer", ["maybe", 1, ["yes"]])
def test_http_request_with_a_boolean_answer_that_is_no_boolean_is_refused_naming_it(
    customer: User, incident: Case, answer: object
) -> None:
    form = form_for(incident, partner_extension=answer)

    response = post(bearer(customer), "", {"form": form})

    assert response.status_code == 400, response.content
    assert response.json()["problems"] == [
        {"field": "form.partner_extension", "reason": "must be yes or no"}
    ]
    assert not Escalation.objects.exists()


def test_http_request_refusal_is_worded_in_the_readers_language(
    customer: User, incident: Case
) -> None:
    response = bearer(customer).post(
        "/api/escalations",
        {"form": form_for(incident, business_impact="", urgency="x")},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="sv",
    )

    assert response.status_code == 400
    assert [p["reason"] for p in response.json()["problems"]] == [
        "är inget fält i den här policyns eskaleringsformulär",
        "måste fyllas i",
    ]


def test_http_request_with_yes_as_the_boolean_answer_goes_to_the_partner_first(
    customer: User, incident: Case
) -> None:
    body = post(bearer(customer), "", {"form": form_for(incident, partner_extension="yes")}).json()

    assert body["status"] == "partner_first"


def test_esc_5_non_manager_cannot_accept_over_http(
    customer: User, agent: User, stranger: User, incident: Case
) -> None:
    esc_id = post(bearer(customer), "", {"form": form_for(incident)}).json()["id"]

    as_customer = post(bearer(customer), f"/{esc_id}/accept", {})
    as_agent = post(bearer(agent), f"/{esc_id}/accept", {})
    as_stranger = post(bearer(stranger), f"/{esc_id}/accept", {})

    assert as_customer.status_code == 403
    assert as_customer.json()["field"] == "actor"
    assert as_agent.status_code == 403
    assert as_stranger.status_code == 404
    assert Escalation.objects.get(pk=esc_id).status == EscalationStatus.REQUESTED


def test_esc_6_to_esc_8_full_flow_over_http_leaves_the_incident_open(
    customer: User, incident: Case, managers: dict[str, User]
) -> None:
    requester = bearer(customer)
    manager = bearer(managers["emea"])
    esc_id = post(requester, "", {"form": form_for(incident)}).json()["id"]

    accepted = post(manager, f"/{esc_id}/accept", {"note": "Production down"})
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["region"] in {"emea", "na"}
    assert accepted.json()["acknowledge_by"] is not None
    incident.refresh_from_db()
    assert incident.escalated is True

    assert (
        post(requester, f"/{esc_id}/subscriptions", {"email": "cio@x.example"}).status_code == 201
    )
    extra = post(manager, f"/{esc_id}/subscriptions", {"email": "gone@x.example"}).json()
    path = f"/api/escalations/{esc_id}/subscriptions/{extra['id']}"
    assert requester.delete(path).status_code == 403
    assert manager.delete(path).status_code == 204
    assert manager.delete(path).json()["field"] == "subscription_id"
    handler = managers[accepted.json()["region"]]
    ack = post(
        bearer(handler),
        f"/{esc_id}/acknowledge",
        {"status_note": "Investigating", "next_steps": "Patch"},
    )
    assert ack.json()["status"] == "acknowledged"
    assert post(manager, f"/{esc_id}/updates", {"body": "Patch ready"}).status_code == 201
    waiting = post(manager, f"/{esc_id}/await-client", {"troubleshooting_steps": "Retry"})
    assert len(waiting.json()["reminders"]) == 3
    answered = post(requester, f"/{esc_id}/client-response", {"message": "Works now"})
    assert answered.json()["next_reminder_at"] is None

    bad = post(manager, f"/{esc_id}/close", {"reason": "fixed"})
    assert bad.status_code == 400
    assert bad.json()["field"] == "closure_reason"
    closed = post(manager, f"/{esc_id}/close", {"reason": "resolved", "note": "Agreed"})
    assert closed.json()["status"] == "closed"

    incident.refresh_from_db()
    assert incident.escalated is False
    assert incident.status == "in_progress"
    events = bearer(customer).get(f"/api/escalations/{esc_id}/events").json()
    assert [e["kind"] for e in events][:3] == ["requested", "accepted", "assigned"]
    again = post(manager, f"/{esc_id}/close", {"reason": "resolved"})
    assert again.status_code == 409
    assert again.json()["field"] == "status"


def test_the_team_asks_for_information_and_the_requester_answers_over_http(
    customer: User, incident: Case, managers: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    at = [stockholm(*WEDNESDAY, 10)]
    monkeypatch.setattr(clock, "now", lambda: at[0])
    requester, manager = bearer(customer), bearer(managers["emea"])
    created = post(requester, "", {"form": form_for(incident)}).json()
    esc_id = created["id"]
    assert created["decision_region"] == "emea"
    assert created["decide_by"] == "2026-03-11T13:00:00Z"  # 14:00 in Stockholm

    at[0] = stockholm(*WEDNESDAY, 11)
    refused = post(requester, f"/{esc_id}/request-information", {"question": "Which?"})
    assert refused.status_code == 403
    early = post(requester, f"/{esc_id}/information", {"answer": "All"})
    assert (early.status_code, early.json()["field"]) == (409, "status")
    asked = post(manager, f"/{esc_id}/request-information", {"question": "Which stores?"})
    assert asked.status_code == 200, asked.content
    assert asked.json()["decide_by"] is None
    assert asked.json()["information_question"] == "Which stores?"
    at[0] = stockholm(*WEDNESDAY, 12)
    answered = post(requester, f"/{esc_id}/information", {"answer": "All 40"})
    assert answered.status_code == 200, answered.content
    assert answered.json()["information_question"] == ""
    assert answered.json()["decide_by"] == "2026-03-11T14:00:00Z"  # paused for an hour


def test_list_is_paged_filtered_and_tenant_scoped(
    customer: User,
    stranger: User,
    emea_client: Organization,
    make_incident: MakeIncident,
    emea_manager: User,
) -> None:
    for _ in range(3):
        post(bearer(customer), "", {"form": form_for(make_incident(emea_client, customer))})
    post(bearer(customer), "", {"form": form_for(None)})

    page = bearer(customer).get("/api/escalations", {"limit": 2, "status": "requested"}).json()
    rest = (
        bearer(customer)
        .get("/api/escalations", {"limit": 2, "status": "requested", "cursor": page["next_cursor"]})
        .json()
    )

    assert len(page["items"]) == 2
    assert len(rest["items"]) == 1
    assert rest["next_cursor"] is None
    assert bearer(stranger).get("/api/escalations").json()["items"] == []
    assert len(bearer(emea_manager).get("/api/escalations").json()["items"]) == 4


def test_stats_are_for_managers_and_need_aware_bounds(
    customer: User, emea_manager: User, incident: Case
) -> None:
    post(bearer(customer), "", {"form": form_for(incident)})
    now = dt.datetime.now(dt.UTC)  # noqa: TID251  the request above used the wall clock
    params = {
        "start": (now - dt.timedelta(days=1)).isoformat(),
        "end": (now + dt.timedelta(days=1)).isoformat(),
    }

    assert bearer(customer).get("/api/escalations/stats", params).status_code == 403
    rows = bearer(emea_manager).get("/api/escalations/stats", params).json()
    assert rows[0]["region"] == "emea"
    assert rows[0]["outcomes"] == {"requested": 1}


def test_reminder_task_is_scheduled_and_registered() -> None:
    assert "escalations.send_reminders" in PERIODIC
    assert "escalations.send_reminders" in app.tasks
