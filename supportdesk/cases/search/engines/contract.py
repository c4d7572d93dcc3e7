"""What every search engine keeps to: the :class:`Engine` protocol, whose text a search
reads (:class:`Audience`), what a rank reads of a case (:class:`Heading`), and the hit
marks, rank scale and snippet length the engines' results share."""

from __future__ import annotations

import datetime as dt
import enum
from typing import NamedTuple, Protocol

from django.db.models import Expression, QuerySet
from django.utils.html import escape

from supportdesk.cases.models import Case
from supportdesk.cases.search.models import SearchDocument
from supportdesk.domain.search_query import SearchQuery

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


def marked(fragment: str) -> str:
    """An engine's fragment as safe HTML: text escaped, hits in ``<mark>``."""
    return escape(fragment).replace(HIT_START, "<mark>").replace(HIT_END, "</mark>")
