"""Completing a case by email: the details its severity needs, given later (INT-3, INT-4)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.urls import reverse

from supportdesk.cases import events
from supportdesk.cases import services as cases
from supportdesk.cases.models import Case, CaseEvent
from supportdesk.cli import main
from supportdesk.domain.errors import DomainError
from supportdesk.domain.lifecycle import CaseStatus
from supportdesk.domain.triage import IntakeError
from supportdesk.notifications.models import OutboxMessage
from tests.cases.conftest import bearer
from tests.factories import tell_everyone
from tests.intake import corpus
from tests.intake.conftest import CUSTOMER, NOW, ingest

LATER = NOW + dt.timedelta(hours=1)


def _mailed_case() -> Case:
    raw = corpus.plain(sender=CUSTOMER, subject="Rates will not save", body="Help!")
    return Case.objects.get(pk=ingest(raw).message.case_id)


def test_int4_the_customer_gives_what_the_case_lacks_and_support_hears_of_it(
    customer: Any, agent: Any
) -> None:
    case = _mailed_case()
    cases.assign_case(actor=agent, case_id=case.pk, assignee_id=agent.pk, now=NOW)
    tell_everyone()
    case = cases.give_details(
        actor=customer,
        case_id=case.pk,
        details={"occurred_at": ["2026-03-11T09:30:00-05:00"], "activity": "booking"},
        now=LATER,
    )
    assert case.triage["intake"] == {
        "occurred_at": ["2026-03-11T14:30:00+00:00"],
        "activity": "booking",
    }
    assert case.missing_intake == ["area", "scope", "details"]
    assert Case.objects.get(pk=case.pk).missing_intake == ["area", "scope", "details"]
    row = CaseEvent.objects.filter(case=case).latest("id")
    assert row.public and row.actor == customer
    assert events.read(row) == events.DetailsGiven(
        keys=("occurred_at", "activity"),
        labels=(
            "At least one concrete time the problem occurred",
            "What the user was doing (a search, an existing itinerary, ...)",
        ),
    )
    assert case.customer_activity_at == LATER
    tell_everyone()
    (told,) = OutboxMessage.objects.filter(recipient_user=agent, body__contains="Details given")
    assert "The customer replied" in told.subject
    assert "Details given: At least one concrete time the problem occurred; What" in told.body
    # The rest, by the agent from the customer's call: the case lacks nothing more.
    case = cases.give_details(
        actor=agent,
        case_id=case.pk,
        details={"area": "Rates", "scope": "everywhere", "details": "Since Monday."},
        now=LATER,
    )
    assert case.missing_intake == [] and case.triage["intake"]["scope"] == "everywhere"
    # An agent's entry is not customer activity: the mark stays the customer's.
    assert Case.objects.get(pk=case.pk).customer_activity_at == LATER


def test_int4_a_search_needs_its_parameters_once_it_is_said_to_be_one(customer: Any) -> None:
    case = _mailed_case()
    case = cases.give_details(
        actor=customer, case_id=case.pk, details={"activity": "search"}, now=LATER
    )
    assert "search_parameters" in case.missing_intake


def test_int4_a_wrong_value_is_refused_with_its_field_and_nothing_is_stored(
    customer: Any,
) -> None:
    case = _mailed_case()
    before = CaseEvent.objects.filter(case=case).count()
    with pytest.raises(IntakeError) as refused:
        cases.give_details(
            actor=customer,
            case_id=case.pk,
            details={"area": "Rates", "occurred_at": ["yesterday, I think"]},
            now=LATER,
        )
    assert [p.field for p in refused.value.problems] == ["details.occurred_at"]
    stored = Case.objects.get(pk=case.pk)
    assert stored.triage["intake"] == {} and "area" in stored.missing_intake
    assert CaseEvent.objects.filter(case=case).count() == before


def test_int4_only_what_the_case_lacks_and_only_while_it_is_open(
    customer: Any, agent: Any, organisation: Any
) -> None:
    case = _mailed_case()
    with pytest.raises(DomainError) as refused:
        cases.give_details(actor=customer, case_id=case.pk, details={"cosmetic": True}, now=LATER)
    assert refused.value.field == "details.cosmetic"
    with pytest.raises(DomainError) as refused:
        cases.give_details(actor=customer, case_id=case.pk, details={}, now=LATER)
    assert refused.value.field == "details"
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED)
    with pytest.raises(DomainError) as refused:
        cases.give_details(actor=customer, case_id=case.pk, details={"area": "x"}, now=LATER)
    assert refused.value.field == "case_id"


def test_int4_details_by_the_api_answer_what_is_still_missing(customer: Any) -> None:
    case = _mailed_case()
    api = bearer(customer)
    url = f"/api/cases/{case.pk}/details"
    got = api.get(f"/api/cases/{case.pk}").json()
    assert got["missing_intake"] == ["occurred_at", "area", "activity", "scope", "details"]
    refused = api.post(url, {"details": {"scope": "sometimes"}}, content_type="application/json")
    assert refused.status_code == 400
    assert refused.json()["field"] == "details.scope"
    assert Case.objects.get(pk=case.pk).triage["intake"] == {}
    answer = api.post(url, {"details": {"scope": "everywhere"}}, content_type="application/json")
    assert answer.status_code == 200
    assert answer.json()["missing_intake"] == ["occurred_at", "area", "activity", "details"]
    assert answer.json()["triage"]["intake"] == {"scope": "everywhere"}


def test_int4_details_by_the_cli(
    customer: Any, agent: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    case = _mailed_case()
    argv = ["case", "details", case.reference, "--as", agent.username, "--detail"]
    assert main([*argv, "scope=sometimes"]) == 2
    assert "details.scope" in capsys.readouterr().err
    assert main([*argv, "scope=everywhere"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["missing_intake"] == ["occurred_at", "area", "activity", "details"]
    assert main(["case", "details", case.reference, "--as", agent.username]) == 2
    assert "--detail: give at least one KEY=VALUE" in capsys.readouterr().err


def test_int4_the_customer_completes_the_case_on_its_page(customer: Any, client: Any) -> None:
    case = _mailed_case()
    client.force_login(customer)
    url = reverse("portal:case_details", args=[case.pk])
    page = client.get(reverse("portal:case", args=[case.pk])).content.decode()
    assert f'action="{url}"' in page and 'name="d_scope"' in page
    refused = client.post(url, {"d_scope": ""})
    assert refused.status_code == 400 and "give at least one detail" in refused.content.decode()
    refused = client.post(url, {"d_scope": "sometimes"})
    assert refused.status_code == 400 and 'id="details_d_scope_error"' in refused.content.decode()
    answer = client.post(url, {"d_scope": "everywhere", "d_area": "Rates"})
    assert answer.status_code == 302
    stored = Case.objects.get(pk=case.pk)
    assert stored.triage["intake"] == {"area": "Rates", "scope": "everywhere"}
    page = client.get(reverse("portal:case", args=[case.pk])).content.decode()
    assert "Details given" in page and "<li>The part of the application" not in page


def test_int4_the_agent_enters_a_time_the_customer_gave_in_their_own_zone(
    customer: Any, agent: Any, client: Any
) -> None:
    case = _mailed_case()
    client.force_login(agent)
    url = reverse("console:case_details", args=[case.pk])
    answer = client.post(url, {"d_occurred_at_date": "2026-03-11", "d_occurred_at_time": "09:30"})
    assert answer.status_code == 302
    wall = dt.datetime(2026, 3, 11, 9, 30, tzinfo=agent.zone)
    stored = Case.objects.get(pk=case.pk)
    assert stored.triage["intake"]["occurred_at"] == [wall.astimezone(dt.UTC).isoformat()]
    assert "occurred_at" not in stored.missing_intake
    assert stored.customer_activity_at is None  # an agent's entry is no customer activity


def test_int4_a_new_severity_asks_for_what_it_needs_and_keeps_what_was_given(
    customer: Any, agent: Any
) -> None:
    """Sev1 needs no INT-4 details, Sev3 does: a change of severity recounts what the
    case lacks, and a detail given before is kept whatever the severity asks."""
    case = _mailed_case()
    cases.give_details(actor=customer, case_id=case.pk, details={"scope": "everywhere"}, now=LATER)
    cases.change_severity(
        actor=agent, case_id=case.pk, severity=1, reason="Checkout is down for everyone"
    )
    case = Case.objects.get(pk=case.pk)
    assert case.missing_intake == [] and case.triage["intake"] == {"scope": "everywhere"}
    cases.change_severity(actor=agent, case_id=case.pk, severity=3, reason="A workaround")
    case = Case.objects.get(pk=case.pk)
    assert case.missing_intake == ["occurred_at", "area", "activity", "details"]
    assert case.triage["intake"] == {"scope": "everywhere"}
