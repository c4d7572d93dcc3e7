"""The API of finding work: bulk actions, merge, saved views."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from supportdesk.cases.models import Case
from tests.cases.conftest import NOW, bearer, open_sev


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def test_bulk_assign_answers_what_changed_and_what_was_refused(
    agent: Any,
    customer: Any,
    organisation: Any,
    stranger: Any,
    other_organisation: Any,
    emea_agent: Any,
) -> None:
    ours = open_sev(customer, organisation, severity=3, now=NOW)
    body = post(
        bearer(agent),
        "/api/cases/bulk",
        {"case_ids": [ours.pk, 424242], "action": "assign", "assignee_id": agent.pk},
    ).json()
    assert body["changed"] == 1 and body["refused"] == 1
    assert body["outcomes"][1]["reason"]


def test_bulk_input_errors_are_400_naming_the_field(agent: Any, sev2_case: Case) -> None:
    response = post(
        bearer(agent), "/api/cases/bulk", {"case_ids": [sev2_case.pk], "action": "note"}
    )
    assert response.status_code == 400 and response.json()["field"] == "note"
    response = post(bearer(agent), "/api/cases/bulk", {"case_ids": [], "action": "note"})
    assert response.status_code == 400


def test_merge_through_the_api(agent: Any, customer: Any, organisation: Any) -> None:
    into = open_sev(customer, organisation, severity=3, now=NOW)
    dup = open_sev(customer, organisation, severity=3, now=NOW)
    response = post(bearer(agent), f"/api/cases/{dup.pk}/merge", {"into_id": into.pk})
    assert response.status_code == 200 and response.json()["id"] == into.pk
    again = post(bearer(agent), f"/api/cases/{dup.pk}/merge", {"into_id": into.pk})
    assert again.status_code == 400 and again.json()["field"] == "duplicate"
    assert (
        post(bearer(customer), f"/api/cases/{dup.pk}/merge", {"into_id": into.pk}).status_code
        == 403
    )


def test_views_list_with_counts_save_and_list_their_cases(
    agent: Any, customer: Any, organisation: Any
) -> None:
    open_sev(customer, organisation, severity=3, now=NOW, title="Flamingo glitch")
    api = bearer(agent)
    views = api.get("/api/cases/views", {"counts": "true"}).json()
    assert {v["key"] for v in views} >= {
        "mine",
        "unassigned",
        "breaching",
        "waiting",
        "escalated",
        "handed",
    }
    assert next(v for v in views if v["key"] == "unassigned")["count"] == 1
    created = post(api, "/api/cases/views", {"name": "Birds", "filters": {"q": "flamingo"}})
    assert created.status_code == 201
    hits = api.get(f"/api/cases/views/{created.json()['id']}/cases").json()["items"]
    # A match in the title only: the snippet is the description's start, not the title.
    assert len(hits) == 1 and hits[0]["snippet"].startswith("Something broke.")
    assert api.get("/api/cases/views/mine/cases").json()["items"] == []
    assert api.get("/api/cases/views/nope/cases").status_code == 404
    assert api.delete(f"/api/cases/views/{created.json()['id']}").status_code == 204
