"""Bounded ranking: only the newest cases of a search's queue are ranked; older matches
follow newest first; the cursor carries the window so paging stays exact while new
cases arrive; which cases match never depends on the window (both databases)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from supportdesk.api_paging import BadCursor, paginate
from supportdesk.cases.models import Case
from supportdesk.cases.search import selectors
from supportdesk.cases.search.selectors import SEARCH_ORDER, search_cases, search_page
from tests.cases.conftest import NOW, open_sev


def make(customer: Any, organisation: Any, title: str, description: str) -> Case:
    return open_sev(
        customer, organisation, severity=3, now=NOW, title=title, description=description
    )


@pytest.fixture
def six(customer: Any, organisation: Any, monkeypatch: pytest.MonkeyPatch) -> list[Case]:
    """Six cases with "widget", oldest first; the newest three ranked (window of 3),
    of which the middle one has it in its title."""
    monkeypatch.setattr(selectors, "RANKED_CASES", 3)
    cases = [
        make(customer, organisation, f"Report {i}", f"The widget fails, step {i}.")
        for i in range(4)
    ]
    cases.append(make(customer, organisation, "Widget broken", "It fails at step 4."))
    cases.append(make(customer, organisation, "Report 5", "The widget fails, step 5."))
    return cases


def walk(viewer: Any, text: str, limit: int) -> list[int]:
    seen: list[int] = []
    cursor = None
    while True:
        page = search_page(search_cases(viewer, text), cursor=cursor, limit=limit)
        seen += [c.pk for c in page.items]
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor


def test_the_newest_are_ranked_then_the_older_matches_newest_first(
    six: list[Case], customer: Any
) -> None:
    order = walk(customer, "widget", limit=25)
    ids = [c.pk for c in six]
    assert set(order) == set(ids)
    assert set(order[:3]) == set(ids[3:])
    assert order[3:] == [ids[2], ids[1], ids[0]]
    if connection.vendor == "postgresql":
        # The heading ranks: a match in the title comes first.
        assert order[0] == ids[4]


def test_pages_of_any_size_give_the_order_of_the_whole_query(
    six: list[Case], customer: Any
) -> None:
    whole = [c.pk for c in search_cases(customer, "widget").order_by(*SEARCH_ORDER)]
    assert walk(customer, "widget", limit=25) == whole
    assert walk(customer, "widget", limit=2) == whole
    assert walk(customer, "widget", limit=1) == whole
    generic = paginate(search_cases(customer, "widget"), cursor=None, limit=4, order=SEARCH_ORDER)
    assert [c.pk for c in generic.items] == whole[:4]


def test_a_cursor_keeps_its_window_while_new_matches_arrive(
    six: list[Case], customer: Any, organisation: Any
) -> None:
    first = search_page(search_cases(customer, "widget"), cursor=None, limit=2)
    newer = [make(customer, organisation, "Widget again", "widget") for _ in range(3)]
    rest = []
    cursor = first.next_cursor
    while cursor:
        page = search_page(search_cases(customer, "widget"), cursor=cursor, limit=2)
        rest += [c.pk for c in page.items]
        cursor = page.next_cursor
    seen = [c.pk for c in first.items] + rest
    assert len(seen) == len(set(seen)), "no case twice"
    assert set(seen) == {c.pk for c in six}, "every case of the first page's search"
    assert not {c.pk for c in newer} & set(seen)


def test_the_window_changes_the_order_never_the_matches(
    six: list[Case], customer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    narrow = walk(customer, "widget -broken", limit=2)
    monkeypatch.setattr(selectors, "RANKED_CASES", 1000)
    wide = walk(customer, "widget -broken", limit=2)
    assert set(narrow) == set(wide) == {c.pk for c in six} - {six[4].pk}


def test_a_foreign_or_queue_cursor_is_refused(six: list[Case], customer: Any) -> None:
    qs = search_cases(customer, "widget")
    with pytest.raises(BadCursor):
        search_page(qs, cursor="bm90IGEgY3Vyc29y", limit=2)
    with pytest.raises(BadCursor):
        search_page(qs, cursor="WyJhIiwgMSwgMl0", limit=2)  # ["a", 1, 2]


def test_older_matches_past_the_walked_ids_come_from_the_index_in_the_same_order(
    six: list[Case], customer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = walk(customer, "widget", limit=25)
    monkeypatch.setattr(selectors, "WALKED_IDS", 1)
    assert walk(customer, "widget", limit=25) == whole
    assert walk(customer, "widget", limit=2) == whole
    assert walk(customer, "widget", limit=1) == whole
    assert walk(customer, "widget -broken", limit=1) == [pk for pk in whole if pk != six[4].pk]
