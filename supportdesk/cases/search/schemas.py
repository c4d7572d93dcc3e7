"""Search results for the API and the command line: a queue listing's case with the
highlighted fragment that matched."""

from __future__ import annotations

from supportdesk import clock
from supportdesk.accounts.models import User
from supportdesk.api_paging import Page
from supportdesk.cases.clocks import show_clocks
from supportdesk.cases.models import Case
from supportdesk.cases.schemas import CaseOut, clock_context
from supportdesk.cases.search.selectors import search_cases, search_page, snippets
from supportdesk.cases.selectors import QueueFilter


class CaseHitOut(CaseOut):
    #: A search's highlighted fragment: HTML, its text escaped and the matched words in
    #: ``<mark>``; null in a listing without ``q``.
    snippet: str | None = None
    #: The match's score, higher first (with the id, the order of a search's pages):
    #: 1 or more among the viewer's newest cases, which are ranked; 0 for an older match.
    rank: int | None = None


def hit_page(
    viewer: User, filters: QueueFilter, *, cursor: str | None, limit: int
) -> Page[CaseHitOut]:
    """One page of ``viewer``'s search for ``filters.q`` (keyset on rank and id), each
    case with its snippet."""
    text = filters.q or ""
    qs = search_cases(viewer, text, filters, summary=True)
    page = search_page(qs, cursor=cursor, limit=limit)
    found = snippets(viewer, text, page.items)
    show_clocks(page.items, now=clock.now())
    items = [
        CaseHitOut.model_validate(case, context=clock_context(case)).model_copy(
            update={"snippet": found.get(case.pk, ""), "rank": case.search_rank}  # type: ignore[attr-defined]
        )
        for case in page.items
    ]
    return Page(items=items, next_cursor=page.next_cursor, limit=page.limit)


def queue_hit(case: Case) -> CaseHitOut:
    """A queue listing's case (no search) in the same shape."""
    return CaseHitOut.model_validate(case, context=clock_context(case))
