"""Emergencies on every channel (INT-2): an emailed or API report outside support hours
with one of the policy's emergency words opens as an unconfirmed Sev1 that pages
on-call once; an agent confirms or downgrades it; an agent's upgrade to Sev1 after
hours pages exactly as a new Sev1 would."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from supportdesk.cases import services
from supportdesk.cases.models import Case, CaseEvent, EventKind
from supportdesk.domain.errors import DomainError
from supportdesk.intake.services.ingest import ingest_message
from supportdesk.notifications.models import MessageKind, OutboxMessage
from supportdesk.oncall.models import Page
from tests.cases.conftest import bearer, open_sev
from tests.factories import answers_none, int4_details
from tests.intake import corpus

pytestmark = pytest.mark.django_db

NIGHT = dt.datetime(2026, 3, 10, 6, 0, tzinfo=dt.UTC)  # Tuesday 02:00 in New York
NOON = dt.datetime(2026, 3, 10, 16, 0, tzinfo=dt.UTC)  # Tuesday 12:00 in New York
SENDER = "ann@alpine.example"


@pytest.fixture
def mail_customer(customer: Any, organisation: Any, settings: Any) -> Any:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    organisation.email_domains = "alpine.example"
    organisation.save(update_fields=["email_domains"])
    customer.email = SENDER
    customer.save(update_fields=["email"])
    return customer


def mailed(subject: str, body: str, now: dt.datetime) -> Case:
    raw = corpus.plain(sender=SENDER, subject=subject, body=body)
    result = ingest_message(raw=raw, via="pipe", now=now)
    return Case.objects.get(pk=result.message.case_id)


def pages(case: Case) -> list[object]:
    """The pages sent for ``case``: on-call pages, or (with no schedule, as here) the
    urgent page to the region's team."""
    team_pages = OutboxMessage.objects.filter(
        kind=MessageKind.PAGE, dedupe_key=f"case:{case.pk}:page"
    )
    return [*Page.objects.filter(case=case), *team_pages]


def test_int2_an_emailed_emergency_after_hours_is_an_unconfirmed_sev1_paged_once(
    mail_customer: Any,
) -> None:
    case = mailed(
        "URGENT Sev1 - cannot book, CRS down",
        "Nobody can book since 01:30. Call me back on +1 802 253 2905.",
        NIGHT,
    )
    assert case.severity == 1 and case.severity_unconfirmed
    assert case.route_action == "page_on_call"
    assert case.callback_number == "+18022532905"
    assert case.queue_rank == 0
    assert len(pages(case)) == 1


def test_int2_an_emailed_emergency_without_a_number_still_pages(mail_customer: Any) -> None:
    case = mailed("System down", "Everything is down, please help.", NIGHT)
    assert case.severity == 1 and case.severity_unconfirmed
    assert case.callback_number == ""
    assert len(pages(case)) == 1


def test_int2_in_hours_the_words_alone_change_nothing(mail_customer: Any) -> None:
    case = mailed("System down", "Everything is down, please help.", NOON)
    assert case.severity == 3 and not case.severity_unconfirmed
    assert pages(case) == []


def test_int2_an_api_report_after_hours_with_emergency_words(
    customer: Any, organisation: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from supportdesk import clock

    monkeypatch.setattr(clock, "now", lambda: NIGHT)
    response = bearer(customer).post(
        "/api/cases",
        {
            "organisation_id": organisation.pk,
            "environment": "production",
            "request_type": "incident",
            "title": "Outage: cannot book",
            "description": "All bookings fail. Reach me at +1 802 253 2905.",
            "answers": answers_none(),
            "details": int4_details(),
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["severity_unconfirmed"] is True
    case = Case.objects.get(pk=response.json()["id"])
    assert case.severity == 1 and case.severity_unconfirmed
    assert case.callback_number == "+18022532905"
    assert len(pages(case)) == 1


def test_int2_an_agent_confirms_with_a_reason_or_downgrades(mail_customer: Any, agent: Any) -> None:
    first = mailed("System down", "Everything is down.", NIGHT)
    second = mailed("Outage", "The CRS is down.", NIGHT)
    with pytest.raises(DomainError) as refused:
        services.confirm_emergency(actor=agent, case_id=first.pk, reason=" ", now=NIGHT)
    assert refused.value.field == "reason"
    services.confirm_emergency(
        actor=agent, case_id=first.pk, reason="Called back: nobody can book.", now=NIGHT
    )
    confirmed = Case.objects.get(pk=first.pk)
    assert confirmed.severity == 1 and not confirmed.severity_unconfirmed
    event = CaseEvent.objects.get(case=first, kind=EventKind.EMERGENCY)
    assert event.data["reason"] == "Called back: nobody can book."
    with pytest.raises(DomainError):
        services.confirm_emergency(actor=agent, case_id=first.pk, reason="again", now=NIGHT)

    services.change_severity(
        actor=agent, case_id=second.pk, severity=3, reason="One user's browser.", now=NIGHT
    )
    downgraded = Case.objects.get(pk=second.pk)
    assert downgraded.severity == 3 and not downgraded.severity_unconfirmed
    assert downgraded.queue_rank == 3


def test_int2_an_upgrade_to_sev1_after_hours_pages_as_a_new_sev1_would(
    customer: Any, organisation: Any, agent: Any
) -> None:
    case = open_sev(customer, organisation, severity=3, now=NIGHT)
    assert pages(case) == []
    services.change_severity(
        actor=agent, case_id=case.pk, severity=1, reason="Every booking fails now.", now=NIGHT
    )
    assert len(pages(case)) == 1


def test_int2_an_upgrade_in_hours_tells_the_account_manager(
    customer: Any, organisation: Any, agent: Any
) -> None:
    organisation.account_manager = agent
    organisation.save(update_fields=["account_manager"])
    case = open_sev(customer, organisation, severity=3, now=NOON)
    services.change_severity(
        actor=agent, case_id=case.pk, severity=1, reason="Every booking fails now.", now=NOON
    )
    assert pages(case) == []
    assert OutboxMessage.objects.filter(dedupe_key=f"case:{case.pk}:account-manager").exists()


def test_int2_the_console_shows_and_confirms_an_unconfirmed_emergency(
    mail_customer: Any, agent: Any, client: Any
) -> None:
    case = mailed("System down", "Everything is down.", NIGHT)
    client.force_login(agent)
    assert b"Unconfirmed" in client.get("/console/", {"view": "all"}).content
    assert b'id="unconfirmed-emergency"' in client.get(f"/console/cases/{case.pk}/").content
    done = client.post(f"/console/cases/{case.pk}/confirm-emergency", {"reason": "Confirmed."})
    assert done.status_code == 302
    assert not Case.objects.get(pk=case.pk).severity_unconfirmed
    assert len(pages(case)) == 1


def test_int2_the_api_confirms_or_downgrades_an_unconfirmed_emergency_with_a_reason(
    mail_customer: Any, agent: Any
) -> None:
    first = mailed("System down", "Everything is down.", NIGHT)
    second = mailed("Outage", "The CRS is down.", NIGHT)
    api = bearer(agent)

    def review(case: Case, body: dict[str, Any]) -> Any:
        return api.post(f"/api/cases/{case.pk}/emergency", body, content_type="application/json")

    no_reason = review(first, {"decision": "confirm", "reason": ""})
    assert no_reason.status_code == 400 and no_reason.json()["field"] == "reason"
    confirmed = review(first, {"decision": "confirm", "reason": "Called back: nobody can book."})
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["severity"] == 1 and confirmed.json()["severity_unconfirmed"] is False
    again = review(first, {"decision": "downgrade", "reason": "late", "severity": 3})
    assert again.status_code == 400 and again.json()["field"] == "severity"

    upward = review(second, {"decision": "downgrade", "reason": "?", "severity": 1})
    assert upward.status_code == 400 and upward.json()["field"] == "severity"
    unnamed = review(second, {"decision": "downgrade", "reason": "One user."})
    assert unnamed.status_code == 400 and unnamed.json()["field"] == "severity"
    refused = bearer(mail_customer).post(
        f"/api/cases/{second.pk}/emergency",
        {"decision": "downgrade", "reason": "Not urgent.", "severity": 3},
        content_type="application/json",
    )
    assert refused.status_code == 403
    down = review(second, {"decision": "downgrade", "reason": "One user's browser.", "severity": 3})
    assert down.status_code == 200, down.content
    assert down.json()["severity"] == 3 and down.json()["severity_unconfirmed"] is False
    change = CaseEvent.objects.get(case=second, kind=EventKind.SEVERITY)
    assert change.data["reason"] == "One user's browser." and change.actor == agent


def test_int2_the_console_downgrades_an_unconfirmed_emergency_with_a_reason(
    mail_customer: Any, agent: Any, client: Any
) -> None:
    case = mailed("System down", "Everything is down.", NIGHT)
    client.force_login(agent)
    page = client.get(f"/console/cases/{case.pk}/").content.decode()
    assert 'id="downgrade-emergency"' in page and "Sev3 Medium" in page
    missing = client.post(
        f"/console/cases/{case.pk}/confirm-emergency",
        {"reason": "Only one user.", "decision": "downgrade"},
    )
    assert (
        missing.status_code == 400 and 'id="emergency_severity_error"' in missing.content.decode()
    )
    done = client.post(
        f"/console/cases/{case.pk}/confirm-emergency",
        {"reason": "Only one user.", "decision": "downgrade", "severity": "3"},
    )
    assert done.status_code == 302
    settled = Case.objects.get(pk=case.pk)
    assert settled.severity == 3 and not settled.severity_unconfirmed


def test_int2_a_callback_number_without_country_code_is_read_in_the_policys_country(
    mail_customer: Any,
) -> None:
    # partner-services says phone_country: US.
    case = mailed("System down", "Everything is down. Call me on (802) 253-2905.", NIGHT)
    assert case.severity == 1 and case.severity_unconfirmed
    assert case.callback_number == "+18022532905"
