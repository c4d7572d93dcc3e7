"""The SQLite engine: two FTS5 tables whose rowid is the case id."""

from __future__ import annotations

import datetime as dt
import operator
from functools import reduce
from typing import Any

from django.db import connection
from django.db.models import BigIntegerField, Expression, F, Q, QuerySet, Value, When
from django.db.models import Case as Switch
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat

from supportdesk.cases.models import Case
from supportdesk.cases.search.engines.contract import (
    HIT_END,
    HIT_START,
    PART_SEPARATOR,
    RANK_SCALE,
    SNIPPET_WORDS,
    Audience,
    Heading,
    marked,
)
from supportdesk.cases.search.models import SearchDocument
from supportdesk.conf import desk_settings
from supportdesk.domain.search_query import SearchQuery, Term

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
