"""Tag names: the one rule for what a tag on a case may be, read by the answers app
(which stores tags) and by the case queue (which filters by them), and the
``tag:name`` terms of the search box."""

from __future__ import annotations

import re
from collections.abc import Iterable

from supportdesk.domain.errors import DomainError

_TAG = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
#: More tags than this on one case is filing nobody can read; a filter naming more
#: than this is no filter either.
MAX_TAGS = 20
#: A search-box term naming a tag: ``tag:billing`` (``-tag:billing`` leaves it out).
_TAG_TERM = re.compile(r"(?<!\S)(-?)tag:(\S*)", re.IGNORECASE)


def normalise_tag(raw: str, *, field: str = "tags") -> str:
    """``raw`` as stored: trimmed, lower case, spaces as hyphens; refused (naming
    ``field``) unless letters, digits, ``-`` and ``_``, at most 40 characters."""
    name = "-".join(raw.strip().lower().split())
    if not _TAG.fullmatch(name):
        raise DomainError(
            f"tag {raw!r}: letters, digits, '-' and '_' only, at most 40 characters",
            field=field,
        )
    return name


def normalise_tags(raw: Iterable[str], *, field: str = "tags") -> list[str]:
    """Each of ``raw`` normalised, blanks dropped, each once, in the order given."""
    names = list(dict.fromkeys(normalise_tag(r, field=field) for r in raw if r.strip()))
    if len(names) > MAX_TAGS:
        raise DomainError(f"at most {MAX_TAGS} tags", field=field)
    return names


def split_tag_list(values: Iterable[str], *, field: str = "tag") -> list[str]:
    """A filter's tags as people give them: repeated (``?tag=a&tag=b``) or
    comma-separated (``a,b``), normalised."""
    return normalise_tags((part for v in values for part in v.split(",")), field=field)


def lift_tag_terms(text: str, *, field: str = "q") -> tuple[str, list[str], list[str]]:
    """``text`` without its ``tag:name`` and ``-tag:name`` terms, and the tags they
    name (required, left out). A term with a bad name is refused naming ``field``."""
    wanted: list[str] = []
    unwanted: list[str] = []
    for negated, name in _TAG_TERM.findall(text):
        (unwanted if negated else wanted).append(normalise_tag(name, field=field))
    rest = " ".join(_TAG_TERM.sub(" ", text).split())
    return rest, list(dict.fromkeys(wanted)), list(dict.fromkeys(unwanted))
