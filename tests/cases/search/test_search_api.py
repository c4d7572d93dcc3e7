"""GET /api/cases?q=: the full-text search through the API."""

from __future__ import annotations

from typing import Any

from supportdesk.cases import services
from supportdesk.cases.models import Case
from tests.cases.conftest import NOW, bearer, open_sev


def test_a_customer_finds_their_case_by_a_reply_word_with_a_snippet(
    corpus: dict[str, Case], customer: Any
) -> None:
    body = bearer(customer).get("/api/cases", {"q": "marmalade"}).json()
    assert [c["id"] for c in body["items"]] == [corpus["booking"].pk]
    hit = body["items"][0]
    assert "<mark>marmalade</mark>" in hit["snippet"]
    assert isinstance(hit["rank"], int)
    assert hit["reference"] and hit["organisation"] == "Alpine"


def test_an_internal_word_finds_nothing_for_the_customer_and_the_case_for_staff(
    corpus: dict[str, Case], customer: Any, agent: Any
) -> None:
    assert bearer(customer).get("/api/cases", {"q": "quokka"}).json()["items"] == []
    staff = bearer(agent).get("/api/cases", {"q": "quokka"}).json()["items"]
    assert corpus["booking"].pk in {c["id"] for c in staff}


def test_search_pages_by_rank_and_id_without_repeats(customer: Any, organisation: Any) -> None:
    opened = {
        open_sev(customer, organisation, severity=3, now=NOW, title=f"Widget fault {i}").pk
        for i in range(5)
    }
    client = bearer(customer)
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"q": "widget", "limit": 2}
        if cursor:
            params["cursor"] = cursor
        body = client.get("/api/cases", params).json()
        seen += [c["id"] for c in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(opened)


def test_a_bad_query_is_a_400_naming_q(customer: Any) -> None:
    response = bearer(customer).get("/api/cases", {"q": "-alone"})
    assert response.status_code == 400
    assert response.json()["field"] == "q"


def test_a_queue_cursor_is_refused_for_a_search(customer: Any, sev2_case: Case) -> None:
    open_sev(customer, sev2_case.organization, severity=3, now=NOW)
    queue = bearer(customer).get("/api/cases", {"limit": 1}).json()
    response = bearer(customer).get("/api/cases", {"q": "problem", "cursor": queue["next_cursor"]})
    assert response.status_code == 400
    assert response.json()["field"] == "cursor"


def test_the_listing_without_q_has_no_snippet(sev2_case: Case, customer: Any) -> None:
    services.add_comment(actor=customer, case_id=sev2_case.pk, body="hello", now=NOW)
    items = bearer(customer).get("/api/cases").json()["items"]
    assert items[0]["snippet"] is None
