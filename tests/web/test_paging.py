"""Keyset paging of the console queue and the portal's case list: next and previous
links carry a cursor, and a page stays put when newer cases arrive."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from typing import Any

import pytest
from django.test import Client

from supportdesk.cases.models import Case
from tests.web.conftest import OPEN_HOURS, open_sev

pytestmark = pytest.mark.django_db


@pytest.fixture
def five_cases(customer: Any, organisation: Any, frozen_clock: Any) -> list[Case]:
    return [
        open_sev(customer, organisation, severity=3, now=OPEN_HOURS - dt.timedelta(minutes=m))
        for m in (50, 40, 30, 20, 10)
    ]


def _refs(html: str) -> list[str]:
    return re.findall(r'data-case="([^"]+)"', html)


def _link(html: str, rel: str) -> str | None:
    found = re.search(rf'<a href="\?([^"]*)" rel="{rel}">', html)
    return unescape(found.group(1)) if found else None


def _walk(
    client: Client, url: str, first: dict[str, str] | None = None
) -> tuple[list[list[str]], list[str]]:
    """Pages forward to the end from the page of ``first`` (query parameters), then the
    previous links back."""
    pages, html = [], client.get(url, first or {}).content.decode()
    while True:
        pages.append(_refs(html))
        nxt = _link(html, "next")
        if nxt is None:
            break
        html = client.get(f"{url}?{nxt}").content.decode()
    back = []
    prev = _link(html, "prev")
    while prev is not None:
        html = client.get(f"{url}?{prev}").content.decode()
        back.append(_refs(html))
        prev = _link(html, "prev")
    return pages, back


def test_the_portal_list_pages_newest_first_with_next_and_previous(
    customer_client: Client, five_cases: list[Case], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("supportdesk.portal.views.PAGE_SIZE", 2)
    pages, back = _walk(customer_client, "/portal/")
    newest_first = [c.reference for c in reversed(five_cases)]
    assert pages == [newest_first[0:2], newest_first[2:4], newest_first[4:5]]
    assert back == [newest_first[2:4], newest_first[0:2]]


def test_the_console_queue_pages_in_queue_order_keeping_the_filters(
    agent_client: Client, five_cases: list[Case], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("supportdesk.console.views.PAGE_SIZE", 2)
    html = agent_client.get("/console/?severity=3").content.decode()
    nxt = _link(html, "next")
    assert nxt is not None and "severity=3" in nxt and "cursor=" in nxt
    pages, back = _walk(agent_client, "/console/")
    flat = [ref for page in pages for ref in page]
    assert sorted(flat) == sorted(c.reference for c in five_cases) and len(flat) == 5
    assert [len(p) for p in pages] == [2, 2, 1]
    assert back == [pages[1], pages[0]]


def test_a_page_stays_put_when_a_newer_case_arrives(
    customer_client: Client,
    five_cases: list[Case],
    customer: Any,
    organisation: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("supportdesk.portal.views.PAGE_SIZE", 2)
    nxt = _link(customer_client.get("/portal/").content.decode(), "next")
    open_sev(customer, organisation, severity=3)
    second = _refs(customer_client.get(f"/portal/?{nxt}").content.decode())
    assert second == [five_cases[2].reference, five_cases[1].reference]


def test_a_cursor_the_site_did_not_issue_shows_the_first_page(
    customer_client: Client, five_cases: list[Case]
) -> None:
    page = customer_client.get("/portal/?cursor=not-a-cursor")
    assert page.status_code == 200
    assert _refs(page.content.decode())[0] == five_cases[-1].reference
