"""The PostgreSQL engine: two tsvector columns of the document row, GIN-indexed, and the
small heading vector that ranks."""

from __future__ import annotations

import datetime as dt
from functools import reduce

from django.contrib.postgres import search as pg
from django.db import connection
from django.db.models import BigIntegerField, Expression, F, QuerySet, Value
from django.db.models.functions import Cast, Coalesce, Substr

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
from supportdesk.domain.search_query import SearchQuery, Term, plain_words

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
