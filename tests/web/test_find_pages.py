"""Finding work on the pages: the console queue's search, views rail, bulk bar, merge
and export; the portal's search for customers."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.test import Client

from supportdesk.cases import services
from supportdesk.cases.models import Case
from supportdesk.cases.search.models import SavedView
from tests.web.conftest import client_for, open_sev


def test_the_queue_searches_the_full_text_and_highlights_the_hit(
    agent_client: Client, sev2_case: Case, agent: Any
) -> None:
    services.add_comment(actor=agent, case_id=sev2_case.pk, body="the wombat ate it", public=False)
    page = agent_client.get("/console/", {"q": "wombat"}).content.decode()
    assert sev2_case.reference in page
    assert "<mark>wombat</mark>" in page


def test_a_bad_search_says_why_and_lists_the_queue(agent_client: Client, sev2_case: Case) -> None:
    page = agent_client.get("/console/", {"q": "-only"}).content.decode()
    assert 'id="search-error"' in page
    assert sev2_case.reference in page


def test_the_rail_lists_built_in_views_with_counts(
    agent_client: Client, sev2_case: Case, agent: Any
) -> None:
    services.assign_case(actor=agent, case_id=sev2_case.pk, assignee_id=agent.pk)
    page = agent_client.get("/console/", {"saved": "mine"}).content.decode()
    assert "<h1>My cases</h1>" in page
    assert 'data-view="unassigned"' in page
    assert 'aria-label="1 case"' in page
    assert sev2_case.reference in page


def test_saving_a_view_keeps_the_filters_and_search(agent_client: Client, sev2_case: Case) -> None:
    response = agent_client.post(
        "/console/views/", {"name": "Broken things", "q": "broke", "severity": "2", "shared": "on"}
    )
    view = SavedView.objects.get(name="Broken things")
    assert response.status_code == 302 and response["Location"] == f"/console/?saved={view.pk}"
    assert view.filters == {"q": "broke", "severity": "2"} and view.shared
    page = agent_client.get(f"/console/?saved={view.pk}").content.decode()
    assert sev2_case.reference in page


def test_bulk_assign_from_the_queue_reports_what_changed_and_what_was_refused(
    agent_client: Client, sev2_case: Case, agent: Any
) -> None:
    response = agent_client.post(
        "/console/bulk",
        {
            "case_ids": [sev2_case.pk, 999999],
            "action": "assign",
            "assignee": agent.pk,
            "next": "/console/",
        },
        follow=True,
    )
    text = response.content.decode()
    assert f"Changed 1: {sev2_case.reference}." in text
    assert "#999999 was not changed" in text
    sev2_case.refresh_from_db()
    assert sev2_case.assignee_id == agent.pk


def test_merge_from_the_case_page_leads_to_the_survivor(
    agent_client: Client, sev2_case: Case, customer: Any, organisation: Any
) -> None:
    dup = open_sev(customer, organisation, severity=3)
    response = agent_client.post(f"/console/cases/{dup.pk}/merge", {"into": sev2_case.reference})
    assert response["Location"] == f"/console/cases/{sev2_case.pk}/"
    page = agent_client.get(f"/console/cases/{dup.pk}/").content.decode()
    assert 'id="merged-into"' in page and sev2_case.reference in page


def test_the_export_streams_the_views_rows_as_csv(agent_client: Client, sev2_case: Case) -> None:
    response = agent_client.get("/console/export.csv", {"q": "broke"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][0] == "reference"
    assert {r[0] for r in rows[1:]} == {sev2_case.reference}


def test_customers_search_their_own_public_text_only(
    customer_client: Client, sev2_case: Case, agent: Any, stranger: Any
) -> None:
    services.add_comment(actor=agent, case_id=sev2_case.pk, body="secret wombat", public=False)
    services.add_comment(actor=agent, case_id=sev2_case.pk, body="public kiwi", public=True)
    assert (
        sev2_case.reference
        in customer_client.get("/portal/search/", {"q": "kiwi"}).content.decode()
    )
    page = customer_client.get("/portal/search/", {"q": "wombat"}).content.decode()
    assert 'id="no-hits"' in page and sev2_case.reference not in page
    other = client_for(stranger).get("/portal/search/", {"q": "kiwi"}).content.decode()
    assert sev2_case.reference not in other


def test_the_header_search_box_goes_to_each_sides_search(
    customer_client: Client, agent_client: Client, sev2_case: Case
) -> None:
    assert (
        'class="global-search" action="/portal/search/"'
        in customer_client.get("/portal/").content.decode()
    )
    assert (
        'class="global-search" action="/console/"' in agent_client.get("/console/").content.decode()
    )
