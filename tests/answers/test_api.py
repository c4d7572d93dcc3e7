"""Answer work through the API: macros list and apply, articles CRUD and search,
deflections, tags, and satisfaction ratings and their report."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from supportdesk.answers.models import Macro
from supportdesk.cases.models import Case, Comment
from supportdesk.knowledge.models import Article, Deflection
from supportdesk.satisfaction.models import Survey
from tests.answers.conftest import NOW
from tests.cases.conftest import bearer

pytestmark = pytest.mark.django_db


def post(client: Any, url: str, body: Any, method: str = "post") -> Any:
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def test_an_agent_saves_and_applies_a_macro(agent: Any, sev2_case: Case) -> None:
    client = bearer(agent)
    saved = post(
        client,
        "/api/macros",
        {
            "name": "Need logs",
            "body": "Hi {{ requester.first_name }}, logs for {{ case.reference }} please.",
            "status": "waiting_on_customer",
            "assignee_id": agent.pk,
            "tags": ["logs"],
        },
    )
    assert saved.status_code == 201, saved.content
    macro_id = saved.json()["id"]
    assert [m["name"] for m in client.get("/api/macros").json()["items"]] == ["Need logs"]
    preview = post(client, f"/api/macros/{macro_id}/preview", {"case_id": sev2_case.pk})
    assert sev2_case.reference in preview.json()["reply"]
    applied = post(client, f"/api/macros/{macro_id}/apply", {"case_id": sev2_case.pk})
    assert applied.status_code == 200
    body = applied.json()
    assert (body["status"], body["assignee_id"]) == ("waiting_on_customer", agent.pk)
    assert Comment.objects.get(pk=body["comment_id"]).case_id == sev2_case.pk
    assert client.get(f"/api/tags/cases/{sev2_case.pk}").json() == ["logs"]
    tagged = client.get("/api/tags/logs/cases").json()["items"]
    assert [c["id"] for c in tagged] == [sev2_case.pk]
    assert Macro.objects.get(pk=macro_id).usage_count == 1


def test_an_unknown_placeholder_is_a_400_naming_the_body(agent: Any) -> None:
    response = post(bearer(agent), "/api/macros", {"name": "x", "body": "{{ secret }}"})
    assert response.status_code == 400
    assert response.json()["field"] == "body"


def test_the_placeholder_list_is_published(agent: Any) -> None:
    names = [p["name"] for p in bearer(agent).get("/api/macros/placeholders").json()]
    assert "sla.first_response.due_local" in names


def test_articles_crud_and_search(agent: Any, customer: Any) -> None:
    staff = bearer(agent)
    created = post(
        staff,
        "/api/articles",
        {"title": "Exporting arrivals", "body": "Press **Export**.", "visibility": "public"},
    )
    assert created.status_code == 201
    article = created.json()
    assert article["html"] == "<p>Press <strong>Export</strong>.</p>\n"
    assert article["public_path"] == f"/help/articles/{article['slug']}/"
    patched = post(
        staff,
        f"/api/articles/{article['id']}",
        {"body": "Press **Export** (CSV).", "note": "CSV"},
        method="patch",
    )
    assert patched.json()["version"] == 2
    versions = staff.get(f"/api/articles/{article['id']}/versions").json()["items"]
    assert [v["version"] for v in versions] == [2, 1]
    found = bearer(customer).get("/api/articles/search", {"q": "export arrivals"}).json()
    assert [a["id"] for a in found] == [article["id"]]
    assert staff.delete(f"/api/articles/{article['id']}").status_code == 204
    assert not Article.objects.exists()


def test_customers_never_get_internal_articles(agent: Any, customer: Any) -> None:
    internal = post(bearer(agent), "/api/articles", {"title": "Replica", "body": "Secret."})
    client = bearer(customer)
    assert client.get(f"/api/articles/{internal.json()['id']}").status_code == 404
    assert client.get("/api/articles").json()["items"] == []
    assert client.get("/api/articles/search", {"q": "replica"}).json() == []


def test_a_customer_records_a_deflection(export_article: Article, customer: Any) -> None:
    response = post(
        bearer(customer), f"/api/articles/{export_article.pk}/deflections", {"query": "export"}
    )
    assert response.status_code == 201
    assert Deflection.objects.get().user == customer


def test_ratings_through_the_api(sev2_case: Case, customer: Any, agent: Any, stranger: Any) -> None:
    # Surveyed on its resolution (a reopened case is not rated until resolved again).
    Case.objects.filter(pk=sev2_case.pk).update(status="resolved", resolved_at=NOW)
    Survey.objects.create(
        case=sev2_case,
        requester=customer,
        organization=sev2_case.organization,
        region="na",
        agent=agent,
        sent_at=NOW,
        open_until=NOW + dt.timedelta(days=36500),
    )
    mine = bearer(customer)
    rated = post(mine, f"/api/satisfaction/cases/{sev2_case.pk}/rating", {"rating": "good"})
    assert rated.status_code == 200
    assert rated.json()["rating"] == "good"
    assert bearer(agent).get(f"/api/satisfaction/cases/{sev2_case.pk}").json()["rating"] == "good"
    assert bearer(stranger).get(f"/api/satisfaction/cases/{sev2_case.pk}").status_code == 404
    assert bearer(stranger).get("/api/satisfaction").json()["items"] == []
    start = dt.datetime(2000, 1, 1, tzinfo=dt.UTC).isoformat()
    end = dt.datetime(2100, 1, 1, tzinfo=dt.UTC).isoformat()
    rows = bearer(agent).get(
        "/api/satisfaction/report", {"start": start, "end": end, "by": "region"}
    )
    assert rows.json() == [{"key": "NA", "good": 1, "bad": 0, "total": 1, "score": 100.0}]
    assert mine.get("/api/satisfaction/report", {"start": start, "end": end}).status_code == 403
    backwards = bearer(agent).get("/api/satisfaction/report", {"start": end, "end": start})
    assert (backwards.status_code, backwards.json()["field"]) == (400, "end")
