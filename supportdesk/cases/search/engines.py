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

import contextlib
import datetime as dt
import enum
import operator
from collections.abc import Iterator
from functools import reduce
from typing import Any, NamedTuple, Protocol

from django.contrib.postgres import search as pg
from django.db import connection, transaction
from django.db.models import BigIntegerField, Expression, F, Q, QuerySet, Value, When
from django.db.models import Case as Switch
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, Concat, Substr
from django.utils.html import escape

from supportdesk.cases.models import Case
from supportdesk.cases.search.models import SearchDocument
from supportdesk.conf import desk_settings
from supportdesk.domain.search_query import SearchQuery, Term, plain_words

#: Marks around a hit in a snippet as the engines return it: private-use characters no
#: text contains, turned into ``<mark>`` once the rest is escaped.
HIT_START, HIT_END = "\ue000", "\ue001"
#: Ranks are scaled to integers so that a keyset cursor compares them exactly.
RANK_SCALE = 1_000_000
SNIPPET_WORDS = 24
#: Between the parts of a document's text (``cases.search.index.document_texts``).
PART_SEPARATOR = "\n"


class Heading(NamedTuple):
    """What the PostgreSQL rank reads of a case: its reference and title (weighted
    most) and its organisation; public to every audience, and small enough to be stored
    inline, so ranking a match never unpacks the case's whole text."""

    title: str
    organization: str


class Audience(enum.StrEnum):
    """Whose text a search reads: customers the public side only, staff both."""

    PUBLIC = "public"
    STAFF = "staff"


class Engine(Protocol):
    def write(self, doc: SearchDocument, heading: Heading) -> None:
        """Store ``doc`` (unsaved: insert or replace) and index its texts."""

    def append(self, case_id: int, text: str, *, public: bool, at: dt.datetime) -> bool:
        """Add one new part (a comment's body, an attachment's name) to the end of the
        case's texts, public or staff only; False (nothing written) when the case has
        no document yet."""

    def remove(self, case_id: int) -> None: ...
    def matching(
        self, qs: QuerySet[Case], query: SearchQuery, audience: Audience
    ) -> QuerySet[Case]: ...
    def score(self, query: SearchQuery, audience: Audience) -> Expression: ...
    def older(self, qs: QuerySet[Case], floor: int, above: int = 0) -> QuerySet[Case]:
        """``qs`` narrowed to the cases below id ``floor`` (and above id ``above``), as
        the index can use it."""

    def snippets(
        self, case_ids: list[int], query: SearchQuery, audience: Audience
    ) -> dict[int, str]: ...
    def rebuild(self) -> None: ...


def engine() -> Engine:
    """The engine of the default database."""
    if connection.vendor == "postgresql":
        return PostgresEngine()
    return Fts5Engine()


@contextlib.contextmanager
def exact_plans() -> Iterator[None]:
    """Inside: PostgreSQL plans each statement for its own values. Statements are
    prepared on the server after two runs (settings: ``prepare_threshold``), and a
    prepared statement's generic plan knows neither how few cases the window holds nor
    how common the words are: measured, the same search's window read went from 20 ms
    to 200 ms once prepared. And without parallel workers: every read of a page is
    bounded (a thousand rows at most), and starting a worker process for it (as the
    planner did for an agent's window) costs more than it saves on a busy server.
    ``SET LOCAL`` lasts until the end of the transaction, so inside another transaction
    the settings are put back on the way out."""
    if connection.vendor != "postgresql":
        yield
        return
    inside = connection.in_atomic_block
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(
            "set local plan_cache_mode = force_custom_plan;"
            " set local max_parallel_workers_per_gather = 0"
        )
        yield
        if inside:  # else the commit just below puts them back
            cursor.execute(
                "set local plan_cache_mode to default;"
                " set local max_parallel_workers_per_gather to default"
            )


@contextlib.contextmanager
def index_plans() -> Iterator[None]:
    """Inside (within :func:`exact_plans`): PostgreSQL finds matches through the GIN
    index, not by walking a key index and testing each document. For words rare
    together the planner expects thousands of matches where there are a hundred, and
    walks: measured at 1,000,000 cases, 29,362 documents tested (424 ms) for 23 hits."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("set local enable_indexscan = off")
        try:
            yield
        finally:
            cursor.execute("set local enable_indexscan to default")


def marked(fragment: str) -> str:
    """An engine's fragment as safe HTML: text escaped, hits in ``<mark>``."""
    return escape(fragment).replace(HIT_START, "<mark>").replace(HIT_END, "</mark>")


# SQLite: two FTS5 tables whose rowid is the case id.

FTS_TABLES = {Audience.PUBLIC: "cases_search_public", Audience.STAFF: "cases_search_staff"}
_TOKENIZERS = {
    "english": "porter unicode61 remove_diacritics 2",
    "simple": "unicode61 remove_diacritics 2",
}


def fts5_match(query: SearchQuery) -> str:
    """``query`` as an FTS5 query string: each term a quoted string (which FTS5
    tokenises into a phrase, so punctuation and operators in it are only text)."""

    def quoted(term: Term) -> str:
        return '"' + term.text.replace('"', '""') + '"'

    groups = ["(" + " OR ".join(quoted(t) for t in group) + ")" for group in query.all_of]
    found = "(" + " AND ".join(groups) + ")"
    if not query.none_of:
        return found
    return found + " NOT (" + " OR ".join(quoted(t) for t in query.none_of) + ")"


def _upsert(doc: SearchDocument) -> None:
    SearchDocument.objects.bulk_create(
        [doc],
        update_conflicts=True,
        unique_fields=["case"],
        update_fields=["public_text", "staff_text", "body_start", "indexed_at"],
    )


class Fts5Engine:
    def write(self, doc: SearchDocument, heading: Heading) -> None:
        """``heading``: unused; bm25 over the audience's whole text ranks here. Each
        text in two columns, its heading lines and the body a snippet is taken from."""
        _upsert(doc)
        with connection.cursor() as cursor:
            for audience, text in (
                (Audience.PUBLIC, doc.public_text),
                (Audience.STAFF, doc.staff_text),
            ):
                cursor.execute(
                    f"insert or replace into {FTS_TABLES[audience]} (rowid, heading, body)"
                    " values (%s, %s, %s)",
                    [doc.case_id, text[: doc.body_start], text[doc.body_start :]],
                )

    def append(self, case_id: int, text: str, *, public: bool, at: dt.datetime) -> bool:
        added = Concat(F("staff_text"), Value(PART_SEPARATOR + text))
        changes: dict[str, Any] = {"staff_text": added, "indexed_at": at}
        if public:
            changes["public_text"] = Concat(F("public_text"), Value(PART_SEPARATOR + text))
        if not SearchDocument.objects.filter(case_id=case_id).update(**changes):
            return False
        audiences = (Audience.PUBLIC, Audience.STAFF) if public else (Audience.STAFF,)
        with connection.cursor() as cursor:
            for audience in audiences:
                table = FTS_TABLES[audience]
                cursor.execute(
                    f"update {table} set body = body || %s where rowid = %s",
                    [PART_SEPARATOR + text, case_id],
                )
        return True

    def remove(self, case_id: int) -> None:
        with connection.cursor() as cursor:
            for table in FTS_TABLES.values():
                cursor.execute(f"delete from {table} where rowid = %s", [case_id])

    def matching(
        self, qs: QuerySet[Case], query: SearchQuery, audience: Audience
    ) -> QuerySet[Case]:
        table = FTS_TABLES[audience]
        hits = RawSQL(f"select rowid from {table} where {table} match %s", [fts5_match(query)])
        return qs.filter(pk__in=hits)

    def score(self, query: SearchQuery, audience: Audience) -> Expression:
        """How many of the query's word groups the title holds (any audience: the
        title is public), scaled. Not ``bm25``: that depends on every other document,
        so a case's rank would change under a cursor as cases arrive."""
        held = [
            When(reduce(operator.or_, (Q(title__icontains=t.text) for t in group)), then=1)
            for group in query.all_of
        ]
        counts = [Switch(w, default=0, output_field=BigIntegerField()) for w in held]
        return reduce(operator.add, counts) * Value(RANK_SCALE)

    def older(self, qs: QuerySet[Case], floor: int, above: int = 0) -> QuerySet[Case]:
        return qs.filter(pk__lt=floor, pk__gt=above)

    def snippets(
        self, case_ids: list[int], query: SearchQuery, audience: Audience
    ) -> dict[int, str]:
        """From the body column: around its hits, or its start when only the heading
        lines matched (FTS5 then gives the column's first words)."""
        if not case_ids:
            return {}
        table = FTS_TABLES[audience]
        marks = ", ".join(["%s"] * len(case_ids))
        sql = (
            f"select rowid, snippet({table}, 1, %s, %s, '…', {SNIPPET_WORDS}) from {table}"
            f" where {table} match %s and rowid in ({marks})"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [HIT_START, HIT_END, fts5_match(query), *case_ids])
            return {int(row[0]): marked(row[1]) for row in cursor.fetchall()}

    def rebuild(self) -> None:
        """Drop and create the FTS5 tables with the configured stemming; the caller
        then writes every document again."""
        create_fts5_tables(connection, desk_settings.search_language)


def create_fts5_tables(conn: object, language: str) -> None:
    """(Re)create the FTS5 tables on ``conn`` (a Django connection); also run by the
    migration that introduced them."""
    tokenizer = _TOKENIZERS[language]
    with conn.cursor() as cursor:  # type: ignore[attr-defined]
        for table in FTS_TABLES.values():
            cursor.execute(f"drop table if exists {table}")
            cursor.execute(
                f"create virtual table {table} using fts5(heading, body, tokenize = '{tokenizer}')"
            )


# PostgreSQL: two tsvector columns of the document row, GIN-indexed, and the small
# heading vector that ranks.

_VECTORS = {Audience.PUBLIC: "public_vector", Audience.STAFF: "staff_vector"}
_TEXTS = {Audience.PUBLIC: "public_text", Audience.STAFF: "staff_text"}


def tsquery(query: SearchQuery, config: str) -> pg.SearchQuery:
    """``query`` as one ``tsquery`` expression: each term's :func:`plain_words` through
    ``phraseto_tsquery`` (so a word, a phrase, an address or a reference is read as the
    document was), combined with ``||``, ``&&`` and ``!!``."""

    def one(term: Term) -> pg.SearchQuery:
        return pg.SearchQuery(plain_words(term.text), search_type="phrase", config=config)

    groups = [reduce(lambda a, b: a | b, map(one, group)) for group in query.all_of]
    found = reduce(lambda a, b: a & b, groups)
    for term in query.none_of:
        found = found & ~one(term)
    return found


class PostgresEngine:
    def write(self, doc: SearchDocument, heading: Heading) -> None:
        """One statement: the row and its three vectors, inserted or replaced."""
        table = SearchDocument._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"insert into {table} (case_id, public_text, staff_text, body_start,"
                " indexed_at, public_vector, staff_vector, heading_vector)"
                " values (%(case)s, %(public)s, %(staff)s, %(body_start)s, %(at)s,"
                " to_tsvector(%(cfg)s::regconfig, %(public_words)s),"
                " to_tsvector(%(cfg)s::regconfig, %(staff_words)s),"
                " setweight(to_tsvector(%(cfg)s::regconfig, %(title)s), 'A')"
                " || setweight(to_tsvector(%(cfg)s::regconfig, %(org)s), 'B'))"
                " on conflict (case_id) do update set public_text = excluded.public_text,"
                " staff_text = excluded.staff_text, body_start = excluded.body_start,"
                " indexed_at = excluded.indexed_at,"
                " public_vector = excluded.public_vector, staff_vector = excluded.staff_vector,"
                " heading_vector = excluded.heading_vector",
                {
                    "case": doc.case_id,
                    "public": doc.public_text,
                    "staff": doc.staff_text,
                    "body_start": doc.body_start,
                    "at": doc.indexed_at,
                    "cfg": desk_settings.search_language,
                    "public_words": plain_words(doc.public_text),
                    "staff_words": plain_words(doc.staff_text),
                    "title": plain_words(heading.title),
                    "org": plain_words(heading.organization),
                },
            )

    def append(self, case_id: int, text: str, *, public: bool, at: dt.datetime) -> bool:
        """One statement: both texts and vectors extended in place (``||`` on a
        ``tsvector`` shifts the new part's positions after the old, as one text would),
        instead of reading the case and all its comments again to rewrite them."""
        table = SearchDocument._meta.db_table
        public_side = (
            ", public_text = public_text || %(part)s,"
            " public_vector = public_vector || to_tsvector(%(cfg)s::regconfig, %(words)s)"
            if public
            else ""
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"update {table} set staff_text = staff_text || %(part)s,"
                " staff_vector = staff_vector || to_tsvector(%(cfg)s::regconfig, %(words)s),"
                f" indexed_at = %(at)s{public_side} where case_id = %(case)s",
                {
                    "part": PART_SEPARATOR + text,
                    "words": plain_words(text),
                    "cfg": desk_settings.search_language,
                    "at": at,
                    "case": case_id,
                },
            )
            return bool(cursor.rowcount)

    def remove(self, case_id: int) -> None:
        """Nothing: the vectors live on the document row, deleted with the case."""

    def matching(
        self, qs: QuerySet[Case], query: SearchQuery, audience: Audience
    ) -> QuerySet[Case]:
        tsq = tsquery(query, desk_settings.search_language)
        return qs.filter(**{f"search_document__{_VECTORS[audience]}": tsq})

    def score(self, query: SearchQuery, audience: Audience) -> Expression:
        """``ts_rank`` of the heading vector (the same for every audience: it holds only
        public words): a match in the reference or title first, then in the
        organisation; a match only in the text below scores 0. The audience's own
        vector is only the filter: scoring it would unpack every ranked case's whole
        text (measured: ~15 µs a case, and a common word is in most cases)."""
        tsq = tsquery(query, desk_settings.search_language)
        rank = pg.SearchRank(F("search_document__heading_vector"), tsq) * Value(RANK_SCALE)
        return Coalesce(Cast(rank, output_field=BigIntegerField()), Value(0))

    def older(self, qs: QuerySet[Case], floor: int, above: int = 0) -> QuerySet[Case]:
        """The bounds on the document's key too: the planner does not carry a range
        across the join, and the older matches are read walking the documents down
        from the floor (measured: half the documents tested for a rare pair of words)."""
        return qs.filter(
            pk__lt=floor,
            pk__gt=above,
            search_document__case_id__lt=floor,
            search_document__case_id__gt=above,
        )

    def snippets(
        self, case_ids: list[int], query: SearchQuery, audience: Audience
    ) -> dict[int, str]:
        """From the body (the text after ``body_start``): around its hits, or its first
        words when only the heading lines matched (``ts_headline`` shows ``MinWords``)."""
        if not case_ids:
            return {}
        config = desk_settings.search_language
        headline = pg.SearchHeadline(
            Substr(_TEXTS[audience], F("body_start") + 1),
            tsquery(query, config),
            config=config,
            start_sel=HIT_START,
            stop_sel=HIT_END,
            max_words=SNIPPET_WORDS,
            min_words=SNIPPET_WORDS // 2,
            max_fragments=2,
            fragment_delimiter=" … ",
        )
        rows = (
            SearchDocument.objects.filter(pk__in=case_ids)
            .annotate(snippet=headline)
            .values_list("pk", "snippet")
        )
        return {pk: marked(text) for pk, text in rows}

    def rebuild(self) -> None:
        """Nothing to recreate: the vectors are rewritten with each document."""
