"""One search service, one engine per database: the same parsed query
(``domain.search_query``) rendered as an FTS5 ``MATCH`` on SQLite and as a ``tsquery``
on PostgreSQL, each with its own index of the same :class:`SearchDocument` text.

Every engine gives the same four things: :meth:`~Engine.write` (index one case),
:meth:`~Engine.matching` (narrow a case queryset to the matches), :meth:`~Engine.score`
(an integer relevance of a matching case row, higher first; the selectors compute it
only for a bounded window of the newest cases, see ``search.selectors``) and
:meth:`~Engine.snippets` (highlighted HTML fragments of a page of hits). Which text is
searched is the caller's :class:`Audience`.
"""

from __future__ import annotations

from django.db import connection

from supportdesk.cases.search.engines.contract import (
    HIT_END,
    HIT_START,
    PART_SEPARATOR,
    RANK_SCALE,
    SNIPPET_WORDS,
    Audience,
    Engine,
    Heading,
    marked,
)
from supportdesk.cases.search.engines.fts5 import (
    FTS_TABLES,
    Fts5Engine,
    create_fts5_tables,
    fts5_match,
)
from supportdesk.cases.search.engines.plans import exact_plans, index_plans
from supportdesk.cases.search.engines.postgres import PostgresEngine, tsquery

__all__ = [
    "FTS_TABLES",
    "HIT_END",
    "HIT_START",
    "PART_SEPARATOR",
    "RANK_SCALE",
    "SNIPPET_WORDS",
    "Audience",
    "Engine",
    "Fts5Engine",
    "Heading",
    "PostgresEngine",
    "create_fts5_tables",
    "engine",
    "exact_plans",
    "fts5_match",
    "index_plans",
    "marked",
    "tsquery",
]


def engine() -> Engine:
    """The engine of the default database."""
    if connection.vendor == "postgresql":
        return PostgresEngine()
    return Fts5Engine()
