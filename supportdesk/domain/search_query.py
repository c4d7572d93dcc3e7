"""The search syntax people type, parsed once into a small tree that each database's
search backend renders into its own query (FTS5 ``MATCH`` on SQLite, a ``tsquery`` on
PostgreSQL), so both engines answer the same question.

The syntax is the web-search one (as PostgreSQL's ``websearch_to_tsquery`` reads it):

* words are all required: ``login timeout`` finds text with both;
* ``"exact phrase"`` needs the words next to each other, in order;
* ``-word`` / ``-"a phrase"`` excludes text containing it;
* ``a OR b`` needs either; ``OR`` binds tighter than the implicit AND, so
  ``login OR signin timeout`` is ``(login OR signin) AND timeout``.

Case references are found by their number: ``SD-14``, ``sd14`` and ``000014`` are all
searched as ``14`` (the index holds each case's bare number beside its reference).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from supportdesk.domain.errors import DomainError

#: Longest query accepted, in characters: a search box, not a document.
MAX_QUERY_LENGTH = 200
#: Most words and phrases in one query: each is one more index probe.
MAX_TERMS = 12

_TOKEN = re.compile(r'\s*(-?)(?:"([^"]*)"?|(\S+))')
_REFERENCE = re.compile(r"^[A-Za-z]{1,5}-?0*(\d+)$")
_NUMBER = re.compile(r"^0*(\d+)$")
# What neither engine indexes: a "word" of punctuation alone finds nothing anywhere.
_WORDLESS = re.compile(r"^[\W_]*$")
_PUNCTUATION = re.compile(r"[\W_]+")


class SearchSyntaxError(DomainError):
    """A query that cannot be searched (HTTP 400 / exit 2, field ``q``)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="q")


@dataclass(frozen=True, slots=True)
class Term:
    """One word or phrase: ``text`` is what the user typed (a reference normalised to
    its number); ``phrase`` when it was quoted."""

    text: str
    phrase: bool = False


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """``all_of`` are alternatives groups that must each match (a group matches when
    any of its terms does); ``none_of`` are terms the text must not contain."""

    all_of: tuple[tuple[Term, ...], ...]
    none_of: tuple[Term, ...]

    @property
    def terms(self) -> tuple[Term, ...]:
        return tuple(t for group in self.all_of for t in group) + self.none_of


def parse_search(text: str) -> SearchQuery:
    """Parse ``text``; raises :class:`SearchSyntaxError` for an empty or over-long
    query, one of exclusions only (it would list every case), or a dangling ``OR``."""
    text = text.strip()
    if not text:
        raise SearchSyntaxError("type a word to search for")
    if len(text) > MAX_QUERY_LENGTH:
        raise SearchSyntaxError(f"at most {MAX_QUERY_LENGTH} characters")
    groups: list[list[Term]] = []
    none_of: list[Term] = []
    pending_or = False
    for negated, quoted, bare in _TOKEN.findall(text):
        if not quoted and bare == "OR" and not negated:
            if not groups or pending_or:
                raise SearchSyntaxError("OR needs a word on each side")
            pending_or = True
            continue
        term = _term(quoted, bare)
        if term is None:
            continue
        if negated:
            if pending_or:
                raise SearchSyntaxError("OR cannot join an excluded word")
            none_of.append(term)
        elif pending_or:
            groups[-1].append(term)
            pending_or = False
        else:
            groups.append([term])
    if pending_or:
        raise SearchSyntaxError("OR needs a word on each side")
    if not groups and none_of:
        raise SearchSyntaxError("type a word to find, not only words to leave out")
    if not groups:  # punctuation alone, as a lone quote: no word at all
        raise SearchSyntaxError("type a word to search for")
    query = SearchQuery(tuple(tuple(g) for g in groups), tuple(none_of))
    if len(query.terms) > MAX_TERMS:
        raise SearchSyntaxError(f"at most {MAX_TERMS} words and phrases")
    return query


def _term(quoted: str, bare: str) -> Term | None:
    words = " ".join(quoted.split()) if quoted else bare
    if _WORDLESS.match(words):
        return None
    if quoted:
        return Term(words, phrase=True)
    found = _REFERENCE.match(words) or _NUMBER.match(words)
    return Term(found.group(1) if found else words)


def reference_words(reference: str, case_id: int) -> str:
    """What the index holds for a case's reference: the reference itself and its bare
    number, so every form :func:`parse_search` normalises to finds it."""
    return f"{reference} {case_id}"


def plain_words(text: str) -> str:
    """``text`` with every run of punctuation made a space, as SQLite's tokenizer reads
    it. PostgreSQL's parser keeps ``a@b.com``, ``api.example.com`` or ``trace-1.txt`` as
    single tokens, so a part of one would find nothing there; its engine indexes and
    queries this form instead, and the two engines match the same words."""
    return _PUNCTUATION.sub(" ", text)
