"""A search's pages read a bounded number of rows at any size: the link back to the
previous page steps back through the ranked window and the older matches (never the
whole query ordered backwards), and the CSV export of a search or of the queue is read
a page at a time, each a keyset step (both databases)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from supportdesk.cases.models import Case
from supportdesk.cases.search import selectors
from supportdesk.cases.search.selectors import search_before, search_cases, search_page
from tests.web.conftest import OPEN_HOURS, open_sev
from tests.web.test_paging import _walk

pytestmark = pytest.mark.django_db


@pytest.fixture
def seven(
    customer: Any, organisation: Any, frozen_clock: Any, monkeypatch: pytest.MonkeyPatch
) -> list[Case]:
    """Seven cases whose description says "broke", oldest first; a search ranks the
    newest three (window of 3), so pages of two cross from the window to older ones."""
    monkeypatch.setattr(selectors, "RANKED_CASES", 3)
    return [
        open_sev(customer, organisation, severity=3, now=OPEN_HOURS - dt.timedelta(minutes=m))
        for m in (70, 60, 50, 40, 30, 20, 10)
    ]


def _search_walk(viewer: Any, text: str, limit: int) -> list[Case]:
    rows: list[Case] = []
    cursor = None
    while True:
        page = search_page(search_cases(viewer, text), cursor=cursor, limit=limit)
        rows += page.items
        if page.next_cursor is None:
            return rows
        cursor = page.next_cursor


def _case_reads(queries: CaptureQueriesContext) -> list[str]:
    """The statements that read cases (not the settings, counts or clocks)."""
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith("SELECT")
        and re.search(r'FROM "cases_case"', q["sql"])
    ]


def test_the_console_search_links_back_page_by_page_across_the_window(
    agent_client: Client, seven: list[Case], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("supportdesk.console.views.PAGE_SIZE", 2)
    pages, back = _walk(agent_client, "/console/", {"q": "broke"})
    flat = [ref for page in pages for ref in page]
    assert sorted(flat) == sorted(c.reference for c in seven) and len(flat) == 7
    assert [len(p) for p in pages] == [2, 2, 2, 1]
    assert back == [pages[2], pages[1], pages[0]]


def test_the_portal_search_links_back_page_by_page(
    customer_client: Client, seven: list[Case], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("supportdesk.portal.find.PAGE_SIZE", 3)
    pages, back = _walk(customer_client, "/portal/search/", {"q": "broke"})
    assert [len(p) for p in pages] == [3, 3, 1]
    assert back == [pages[1], pages[0]]


def test_the_rows_before_a_page_are_read_in_two_bounded_statements(
    customer: Any, seven: list[Case]
) -> None:
    order = _search_walk(customer, "broke", limit=25)
    for i in range(1, len(order)):
        qs = search_cases(customer, "broke")
        page = search_page(qs, cursor=None, limit=i)
        first = search_page(qs, cursor=page.next_cursor, limit=1).items[0]
        with CaptureQueriesContext(connection) as queries:
            before = search_before(qs, first, 3)
        assert [c.pk for c in before] == [c.pk for c in reversed(order[max(0, i - 3) : i])]
        reads = _case_reads(queries)
        assert 1 <= len(reads) <= 2
        assert all(" LIMIT " in sql for sql in reads), reads


def test_the_export_of_a_search_is_read_a_page_at_a_time_in_search_order(
    agent_client: Client, agent: Any, seven: list[Case], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("supportdesk.console.queue_export._BATCH", 2)
    with CaptureQueriesContext(connection) as queries:
        response = agent_client.get("/console/export.csv", {"q": "broke"})
        body = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body)))
    refs = list(dict.fromkeys(r[0] for r in rows[1:]))
    assert refs == [c.reference for c in _search_walk(agent, "broke", limit=25)]
    reads = _case_reads(queries)
    # Every read bounded: a LIMIT, or the rows of a batch by their ids.
    assert reads and all(" LIMIT " in sql or '"id" IN (' in sql for sql in reads), reads
    # Seven matches in batches of two: the floor, then at most three reads a batch (the
    # window's ids, the older matches' ids, the batch's rows).
    assert len(reads) <= 1 + 3 * 4


def test_the_export_of_the_queue_is_read_a_page_at_a_time_in_queue_order(
    agent_client: Client, seven: list[Case], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("supportdesk.console.queue_export._BATCH", 2)
    monkeypatch.setattr("supportdesk.console.views.PAGE_SIZE", 2)
    pages, _back = _walk(agent_client, "/console/")
    with CaptureQueriesContext(connection) as queries:
        response = agent_client.get("/console/export.csv")
        body = b"".join(response.streaming_content).decode()
    refs = list(dict.fromkeys(r[0] for r in list(csv.reader(io.StringIO(body)))[1:]))
    assert refs == [ref for page in pages for ref in page]
    reads = _case_reads(queries)
    assert len(reads) == 4 and all(" LIMIT " in sql for sql in reads), reads
