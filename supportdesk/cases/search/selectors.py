"""Reading search results: the one visibility rule first, then the engine.

A search is :func:`cases.selectors.case_queue` (so ``cases_visible_to`` and every queue
filter) narrowed by the engine to the matches of the viewer's :class:`Audience`: a
customer's words are looked up only in the public text of their organisation's cases,
so neither a hit, a count nor a snippet can come from an internal note or another
tenant's case.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from django.db.models import QuerySet

from supportdesk.accounts.models import User
from supportdesk.cases.models import Case
from supportdesk.cases.search.engines import Audience, engine
from supportdesk.cases.selectors import QueueFilter, case_queue
from supportdesk.domain.search_query import SearchQuery, parse_search

#: Best match first; the id breaks ties, so keyset paging is exact.
SEARCH_ORDER = ("-search_rank", "-id")


def audience_of(viewer: User) -> Audience:
    return Audience.STAFF if viewer.is_vendor_staff else Audience.PUBLIC


def search_cases(
    viewer: User, text: str, filters: QueueFilter | None = None, *, summary: bool = False
) -> QuerySet[Case]:
    """The cases ``viewer`` may see that match ``text`` (and ``filters``), annotated
    with ``search_rank``; order them by :data:`SEARCH_ORDER`. Raises
    ``SearchSyntaxError`` for a query that cannot be searched."""
    query = parse_search(text)
    base = dataclasses.replace(filters or QueueFilter(), q=None)
    return engine().matching(case_queue(viewer, base, summary=summary), query, audience_of(viewer))


def snippets(viewer: User, text: str, cases: Sequence[Case]) -> dict[int, str]:
    """Highlighted fragments (safe HTML) of ``cases``, which must have come from
    :func:`search_cases` for the same viewer and text, keyed by case id."""
    query: SearchQuery = parse_search(text)
    return engine().snippets([c.pk for c in cases], query, audience_of(viewer))
