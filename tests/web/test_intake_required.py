"""The intake fields a severity needs: marked required (*) by the rule the intake is
validated with, and a conditional requirement refused by the policy's labels, in the
reader's language (the portal, the console's phone form and the API)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from supportdesk.domain.triage import FieldProblem
from supportdesk.web.reasons import problem_reason
from tests.factories import answers_none, int4_details
from tests.web.report_form import sev2_report

pytestmark = pytest.mark.django_db


#: The partner-services policy's labels of the activity field and its search choice.
ACTIVITY = "What the user was doing (a search, an existing itinerary, ...)"
SEARCHING = f"is required when “{ACTIVITY}” is “Search”"


def _marked(html: str, label: str) -> bool:
    """Whether the field labelled ``label`` carries the required marker."""
    return f'{label} <span aria-hidden="true">*</span>' in html


def test_the_portal_marks_the_details_a_sev2_report_requires(
    customer_client: Client, frozen_clock: Any
) -> None:
    html = customer_client.post(
        "/portal/report/triage", sev2_report(d_activity="booking")
    ).content.decode()
    assert "Sev2 · High" in html
    assert _marked(html, "The part of the application the user was working in")
    assert _marked(html, "At least one concrete time the problem occurred")
    assert _marked(html, ACTIVITY)
    assert _marked(html, "Other pertinent details")
    assert re.search(r'<input type="text" name="d_area"[^>]* required', html)
    # Required only for a search: not marked while the activity is another.
    assert not _marked(html, "The search parameters used")


def test_the_portal_marks_the_search_parameters_once_the_activity_is_a_search(
    customer_client: Client, frozen_clock: Any
) -> None:
    page = customer_client.post(
        "/portal/report/", sev2_report(d_activity="search", d_search_parameters="")
    )
    html = page.content.decode()
    assert page.status_code == 400
    assert _marked(html, "The search parameters used")
    assert SEARCHING in html


def test_the_portal_marks_the_not_local_confirmations_of_an_access_report(
    customer_client: Client, frozen_clock: Any
) -> None:
    html = customer_client.post(
        "/portal/report/triage", sev2_report(category="access")
    ).content.decode()
    assert _marked(html, "Other sites on the Internet are reachable")


def test_the_portal_marks_nothing_a_sev4_report_does_not_need(
    customer_client: Client, frozen_clock: Any
) -> None:
    data = sev2_report(q_cosmetic="yes")
    html = customer_client.post("/portal/report/triage", data).content.decode()
    assert "Sev4" in html
    assert "The part of the application the user was working in" not in html


def test_the_phone_call_form_marks_what_the_triaged_severity_requires(
    agent_client: Client, organisation: Any, frozen_clock: Any
) -> None:
    untriaged = agent_client.get("/console/phone-call/").content.decode()
    assert not _marked(untriaged, "The part of the application the user was working in")
    data = {**sev2_report(d_area="", d_activity="booking"), "organisation": organisation.pk}
    page = agent_client.post("/console/phone-call/", data)
    html = page.content.decode()
    assert page.status_code == 400
    assert _marked(html, "The part of the application the user was working in")
    assert not _marked(html, "The search parameters used")


def test_a_missing_search_parameter_is_refused_by_the_policy_s_labels_in_swedish(
    customer: Any, frozen_clock: Any
) -> None:
    data = sev2_report(d_activity="search", d_search_parameters="")
    swedish = Client(headers={"accept-language": "sv"})
    swedish.force_login(customer)
    html = swedish.post("/portal/report/", data).content.decode()
    assert f"måste fyllas i när ”{ACTIVITY}” är ”Search”" in html
    assert "activity is search" not in html and "is required when" not in html


def test_the_api_names_the_field_and_words_the_reason_by_labels(
    customer: Any, organisation: Any, frozen_clock: Any
) -> None:
    body = {
        "organisation_id": organisation.pk,
        "request_type": "incident",
        "title": "Search fails",
        "answers": answers_none(significant_impact=True, workaround=False),
        "details": int4_details(activity="search"),
    }
    for language, reason in (
        ("en", SEARCHING),
        ("sv", f"måste fyllas i när ”{ACTIVITY}” är ”Search”"),
    ):
        client = Client(headers={"accept-language": language})
        client.force_login(customer)
        response = client.post("/api/cases", body, content_type="application/json")
        assert response.status_code == 400, response.content
        assert response.json()["problems"] == [
            {"field": "details.search_parameters", "reason": reason}
        ]


def test_several_conditions_are_listed_in_the_reader_s_language() -> None:
    problem = FieldProblem(
        "details.x", "is required when …", required_when=(("A", "1"), ("B", "2"), ("C", "3"))
    )
    with translation.override("en"):
        assert problem_reason(problem) == "is required when “A” is “1”, “B” is “2” and “C” is “3”"
    with translation.override("sv"):
        assert problem_reason(problem) == (
            "måste fyllas i när ”A” är ”1”, ”B” är ”2” och ”C” är ”3”"
        )
