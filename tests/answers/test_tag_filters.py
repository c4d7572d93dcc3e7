"""Tags as a filter: the API's ``tag`` and ``q=tag:name``, saved views that keep tags,
the console queue and the command line. Tags are staff metadata: customers neither see
nor filter by them."""

from __future__ import annotations

import json
from typing import Any

import pytest

from supportdesk.answers import services as answers
from supportdesk.cases.models import Case
from supportdesk.cases.search.saved_views import find_view, save_view, view_cases
from supportdesk.cli import main
from tests.answers.conftest import NOW, signed_in
from tests.cases.conftest import bearer, open_sev

pytestmark = pytest.mark.django_db


@pytest.fixture
def tagged(agent: Any, customer: Any, organisation: Any) -> dict[str, Case]:
    """Three cases: ``both`` tagged billing and export, ``billing`` only, ``plain`` none."""
    cases = {
        name: open_sev(customer, organisation, severity=3, now=NOW, title=f"Arrivals {name}")
        for name in ("both", "billing", "plain")
    }
    answers.add_tags(actor=agent, case_id=cases["both"].pk, names=["billing", "export"], now=NOW)
    answers.add_tags(actor=agent, case_id=cases["billing"].pk, names=["billing"], now=NOW)
    return cases


def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {c["id"] for c in response.json()["items"]}


def test_the_api_keeps_cases_carrying_every_tag_named(agent: Any, tagged: dict[str, Case]) -> None:
    client = bearer(agent)
    both, billing = tagged["both"].pk, tagged["billing"].pk
    assert ids(client.get("/api/cases?tag=billing")) == {both, billing}
    assert ids(client.get("/api/cases?tag=billing&tag=export")) == {both}
    assert ids(client.get("/api/cases?tag=Billing,EXPORT")) == {both}
    assert ids(client.get("/api/cases?tag=nobody-uses-this")) == set()


def test_a_search_narrows_by_tag_param_and_by_tag_terms(
    agent: Any, tagged: dict[str, Case]
) -> None:
    client = bearer(agent)
    both, billing, plain = (tagged[k].pk for k in ("both", "billing", "plain"))
    assert ids(client.get("/api/cases?q=arrivals&tag=export")) == {both}
    assert ids(client.get("/api/cases?q=arrivals tag:billing")) == {both, billing}
    assert ids(client.get("/api/cases?q=arrivals -tag:billing")) == {plain}
    # Tag terms alone list the tagged cases (no words left to search).
    listed = client.get("/api/cases?q=tag:export")
    assert ids(listed) == {both}
    assert listed.json()["items"][0]["snippet"] is None


def test_a_bad_tag_is_a_400_naming_the_field(agent: Any, tagged: dict[str, Case]) -> None:
    client = bearer(agent)
    response = client.get("/api/cases?tag=not%20ok!")
    assert response.status_code == 400
    assert response.json()["field"] == "tag"
    response = client.get("/api/cases?q=arrivals tag:no/slash")
    assert (response.status_code, response.json()["field"]) == (400, "q")


def test_customers_cannot_filter_by_tags_and_tag_terms_are_only_words_to_them(
    customer: Any, tagged: dict[str, Case]
) -> None:
    client = bearer(customer)
    refused = client.get("/api/cases?tag=billing")
    assert refused.status_code == 403
    assert refused.json()["field"] == "tag"
    # "tag:billing" is searched as the words "tag" and "billing": no case's public
    # text holds them, so nothing comes back (a filter would have found two).
    assert ids(client.get("/api/cases?q=tag:billing")) == set()
    case = client.get(f"/api/cases/{tagged['both'].pk}").json()
    assert "billing" not in json.dumps(case)


def test_the_openapi_schema_documents_the_tag_filter(agent: Any) -> None:
    schema = bearer(agent).get("/api/openapi.json").json()
    params = schema["paths"]["/api/cases"]["get"]["parameters"]
    tag = next(p for p in params if p["name"] == "tag")
    assert tag["schema"]["type"] == "array"


def test_a_saved_view_keeps_its_tags_and_applies_them(agent: Any, tagged: dict[str, Case]) -> None:
    view = save_view(
        actor=agent, name="Export work", data={"tag": "export", "view": "all"}, now=NOW
    )
    assert view.filters == {"tag": ["export"], "view": "all"}
    found = view_cases(agent, find_view(agent, str(view.pk)).filters)
    assert set(found.values_list("pk", flat=True)) == {tagged["both"].pk}


def test_views_saved_through_the_api_keep_tags(agent: Any, tagged: dict[str, Case]) -> None:
    client = bearer(agent)
    body = {"name": "Billing", "filters": {"tag": ["billing"], "view": "all", "q": "arrivals"}}
    saved = client.post("/api/cases/views", json.dumps(body), content_type="application/json")
    assert saved.status_code == 201, saved.content
    listed = client.get(f"/api/cases/views/{saved.json()['id']}/cases")
    assert ids(listed) == {tagged["both"].pk, tagged["billing"].pk}
    bad = {"name": "Bad", "filters": {"tag": ["no good!"]}}
    refused = client.post("/api/cases/views", json.dumps(bad), content_type="application/json")
    assert (refused.status_code, refused.json()["field"]) == (400, "tag")


def test_the_console_queue_filters_by_tags_and_saves_them_in_a_view(
    agent: Any, tagged: dict[str, Case]
) -> None:
    client = signed_in(agent)
    page = client.get("/console/?view=all&status=all&tag=billing&tag=export").content.decode()
    assert tagged["both"].reference in page
    assert tagged["billing"].reference not in page
    assert 'name="tag" value="billing,export"' in page
    saved = client.post(
        "/console/views/",
        {"name": "Both tags", "tag": "billing,export", "view": "all", "status": "all"},
    )
    assert saved.status_code == 302
    view_page = client.get(saved["Location"]).content.decode()
    assert tagged["both"].reference in view_page
    assert tagged["billing"].reference not in view_page


def test_a_bad_tag_in_the_console_is_shown_and_the_queue_still_lists(
    agent: Any, tagged: dict[str, Case]
) -> None:
    page = signed_in(agent).get("/console/?view=all&tag=no!").content.decode()
    assert "Tags: tag &#x27;no!&#x27;" in page
    assert tagged["plain"].reference in page


def test_the_command_line_lists_and_searches_by_tag(
    agent: Any, tagged: dict[str, Case], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["case", "list", "--as", agent.username, "--tag", "export"]) == 0
    listed = json.loads(capsys.readouterr().out)["items"]
    assert [c["id"] for c in listed] == [tagged["both"].pk]
    assert main(["search", "--as", agent.username, "--tag", "billing"]) == 0
    found = {c["id"] for c in json.loads(capsys.readouterr().out)["items"]}
    assert found == {tagged["both"].pk, tagged["billing"].pk}
    assert main(["search", "arrivals", "tag:export", "--as", agent.username]) == 0
    assert [c["id"] for c in json.loads(capsys.readouterr().out)["items"]] == [tagged["both"].pk]
    assert main(["case", "list", "--as", agent.username, "--tag", "bad tag!"]) == 2
    assert "--tag" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--status", "bogus"], "supportdesk: --status: 'bogus' is not a status (one of: new, "),
        (["--severity", "9"], "supportdesk: --severity: 9 is not a severity (1 to 4)"),
    ],
)
def test_an_unknown_status_or_severity_exits_2_naming_the_option(
    agent: Any, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["case", "list", "--as", agent.username, *argv]) == 2
    assert capsys.readouterr().err.startswith(message)
