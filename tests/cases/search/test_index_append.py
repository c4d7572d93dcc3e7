"""A new comment or attachment is added to the end of its case's document (one
statement on PostgreSQL) instead of the document being rebuilt; the words found are
those a rebuild would find (both databases)."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from supportdesk.cases import services
from supportdesk.cases.models import Case, Comment
from supportdesk.cases.search.index import reindex_all
from supportdesk.cases.search.models import SearchDocument
from supportdesk.cases.search.selectors import search_cases
from tests.cases.conftest import NOW


def hits(viewer: Any, text: str) -> set[int]:
    return set(search_cases(viewer, text).values_list("pk", flat=True))


#: The words of the corpus's replies, notes and file names, and phrases across them.
WORDS = [
    "marmalade",
    "quokka",
    "harpsichord",
    "wombat",
    "numbat",
    '"wombat pie"',
    "booking -wombat",
]


def test_appended_parts_find_what_a_rebuild_finds(
    corpus: dict[str, Case], agent: Any, customer: Any
) -> None:
    case = corpus["booking"]
    services.add_comment(actor=customer, case_id=case.pk, body="A wombat pie.", now=NOW)
    services.add_comment(
        actor=agent, case_id=case.pk, body="Internal numbat.", public=False, now=NOW
    )
    before = {(w, who): hits(v, w) for w in WORDS for who, v in (("a", agent), ("c", customer))}
    assert case.pk in before[("wombat", "c")] and case.pk in before[("numbat", "a")]
    assert case.pk not in before[("numbat", "c")]
    reindex_all()
    after = {(w, who): hits(v, w) for w in WORDS for who, v in (("a", agent), ("c", customer))}
    assert before == after


def test_a_reply_updates_the_document_in_one_statement_on_postgresql(
    corpus: dict[str, Case], agent: Any
) -> None:
    case = corpus["booking"]
    with CaptureQueriesContext(connection) as queries:
        Comment.objects.create(
            case=case, author=agent, body="Echidna", public=False, created_at=NOW
        )
    index_writes = [q["sql"] for q in queries if "search" in q["sql"].lower()]
    assert len(index_writes) == (1 if connection.vendor == "postgresql" else 2)
    doc = SearchDocument.objects.get(pk=case.pk)
    assert doc.staff_text.endswith("\nEchidna") and "Echidna" not in doc.public_text


def test_an_attachment_name_is_appended_to_the_public_text(
    corpus: dict[str, Case], customer: Any
) -> None:
    case = corpus["rates"]
    services.add_attachment(
        actor=customer,
        case_id=case.pk,
        upload=SimpleUploadedFile("platypus-log.txt", b"x", content_type="text/plain"),
        now=NOW,
    )
    assert case.pk in hits(customer, "platypus")


def test_a_case_without_a_document_gets_a_whole_one(corpus: dict[str, Case], agent: Any) -> None:
    case = corpus["rates"]
    SearchDocument.objects.filter(pk=case.pk).delete()
    services.add_comment(actor=agent, case_id=case.pk, body="Bandicoot", now=NOW)
    doc = SearchDocument.objects.get(pk=case.pk)
    assert "Rate update delayed" in doc.public_text and doc.public_text.endswith("Bandicoot")
    assert case.pk in hits(agent, "bandicoot") and case.pk in hits(agent, "spring")
