"""Finding knowledge-base articles for a few words: the terms of a query and how well
an article matches them. Portable on purpose: the database is asked for articles that
contain any term (a plain ``LIKE``), and these functions rank the few it returns, so
SQLite and PostgreSQL give the same answers.
"""

from __future__ import annotations

import re

#: Words too common to say anything about what a customer is looking for.
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "can",
        "cannot",
        "do",
        "does",
        "for",
        "from",
        "has",
        "have",
        "how",
        "i",
        "in",
        "is",
        "it",
        "its",
        "my",
        "no",
        "not",
        "of",
        "on",
        "or",
        "our",
        "so",
        "that",
        "the",
        "their",
        "there",
        "this",
        "to",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "you",
        "your",
    ]
)
#: The longest query a search looks at; more words only slow it down.
MAX_TERMS = 8
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
#: Endings dropped so "exporting", "exported" and "exports" all find "export".
_SUFFIXES = ("ing", "ed", "es", "s")


def stem(word: str) -> str:
    """``word`` without one common English ending, keeping at least four letters."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def search_terms(text: str) -> tuple[str, ...]:
    """The distinct stems of ``text`` worth searching for, in order, at most
    :data:`MAX_TERMS`: lower case, no stop words, no words shorter than three letters."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(text.lower()):
        if len(word) < 3 or word in STOP_WORDS:
            continue
        seen.setdefault(stem(word), None)
        if len(seen) == MAX_TERMS:
            break
    return tuple(seen)


def match_score(terms: tuple[str, ...], title: str, body: str) -> int:
    """How well an article matches: three points per term in its title, one per term
    in its body only; 0 when no term occurs (the article does not match)."""
    title_l, body_l = title.lower(), body.lower()
    score = 0
    for term in terms:
        if term in title_l:
            score += 3
        elif term in body_l:
            score += 1
    return score
