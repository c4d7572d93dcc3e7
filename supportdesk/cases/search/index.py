"""Keeping each case's search document in step with the case.

A case's document is rebuilt whenever the case's searchable fields, a comment or an
attachment is saved or deleted: by ``post_save``/``post_delete`` receivers (connected
in ``CasesConfig.ready``), so every path that writes a comment (the API, the pages, the
mail intake, the CLI) keeps the index current inside its own transaction, without each
service having to remember to. Writes that bypass ``save`` (``bulk_create``, a restore)
are followed by :func:`reindex_all` (``supportdesk search reindex``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, NamedTuple

from django.db.models import QuerySet, TextField, Value
from django.db.models.functions import Concat
from django.db.models.signals import post_delete, post_save

from supportdesk import clock
from supportdesk.cases.models import Attachment, Case, Comment
from supportdesk.cases.search.engines import PART_SEPARATOR, Heading, engine
from supportdesk.cases.search.models import SearchDocument
from supportdesk.domain.search_query import reference_words

#: Case fields whose change alters its document; a save naming none of them (a status
#: change, a clock refresh) leaves the index alone.
INDEXED_FIELDS = frozenset(
    {"title", "description", "triage", "organization", "requester", "handover_note"}
)


#: What :func:`document_texts` reads of a case.
CASE_FIELDS = ("reference", "title", "description", "triage", "handover_note")


def index_case(
    case_id: int, *, case: Case | None = None, fresh: bool = False, now: dt.datetime | None = None
) -> None:
    """Rebuild the document of case ``case_id`` (no-op if the case is gone).

    ``case``: the row in hand (a saved instance), read again only for what it lacks;
    ``fresh``: a case inserted in this transaction, which has no comments or
    attachments to read yet. A new case costs one statement on PostgreSQL."""
    if case is None or _lacks(case):
        case = _read(case_id)
        if case is None:
            return
    texts = document_texts(case, fresh=fresh)
    doc = SearchDocument(
        case_id=case_id,
        public_text=texts.public,
        staff_text=texts.staff,
        body_start=texts.body_start,
        indexed_at=clock.resolve(now),
    )
    engine().write(doc, heading_of(case))


def heading_of(case: Case) -> Heading:
    """The words that rank a case's matches: reference and title, then organisation."""
    title = f"{reference_words(case.reference, case.pk)}\n{case.title}"
    return Heading(title=title, organization=case.organization.name)


def _lacks(case: Case) -> bool:
    deferred = case.get_deferred_fields()
    return (
        any(f in deferred for f in CASE_FIELDS)
        or not Case.organization.is_cached(case)
        or not Case.requester.is_cached(case)
    )


def _read(case_id: int) -> Case | None:
    return (
        Case.objects.filter(pk=case_id)
        .select_related("organization", "requester")
        .only(
            *CASE_FIELDS,
            "organization__name",
            "requester__first_name",
            "requester__last_name",
            "requester__email",
        )
        .first()
    )


class DocumentTexts(NamedTuple):
    """A case's searched texts: the staff text is the public text followed by what only
    staff may read. Both begin with the case's heading lines (reference, title,
    organisation, requester), which the result row shows already; ``body_start`` is
    where the text below them (description, intake, conversation) starts, the text a
    snippet is taken from."""

    public: str
    staff: str
    body_start: int


def document_texts(case: Case, *, fresh: bool = False) -> DocumentTexts:
    """The texts of ``case`` (see :class:`DocumentTexts`)."""
    requester = case.requester
    heading = [
        reference_words(case.reference, case.pk),
        case.title,
        case.organization.name,
        f"{requester.first_name} {requester.last_name}".strip(),
        requester.email,
    ]
    body = [
        case.description,
        *_strings(case.triage.get("intake", {}) if isinstance(case.triage, dict) else {}),
    ]
    internal = [case.handover_note]
    if not fresh:
        for text, is_public in _parts(case.pk):
            (body if is_public else internal).append(text)
    body_text = PART_SEPARATOR.join(p for p in body if p)
    public_text = PART_SEPARATOR.join(p for p in (*heading, body_text) if p)
    return DocumentTexts(
        public=public_text,
        staff=PART_SEPARATOR.join([public_text, *(p for p in internal if p)]),
        body_start=len(public_text) - len(body_text),
    )


def _parts(case_id: int) -> QuerySet[Any, tuple[str, bool]]:
    """In one read: the case's comment bodies and attachment names, and the title and
    description of the duplicates merged into it, each with whether it is public."""
    comments = Comment.objects.filter(case_id=case_id).order_by().values_list("body", "public")
    files = Attachment.objects.filter(case_id=case_id).order_by().values_list("name", "public")
    merged = (
        Case.objects.filter(merge__into_id=case_id)
        .order_by()
        .annotate(
            text=Concat("title", Value("\n"), "description", output_field=TextField()),
            shown=Value(True),
        )
        .values_list("text", "shown")
    )
    return comments.union(files, merged, all=True)


def _strings(value: Any) -> Iterable[str]:
    """Every string inside the intake details (answers may be lists or mappings)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def reindex_all(*, batch: int = 500) -> int:
    """Rebuild every case's document (after a restore or a change of
    ``SEARCH_LANGUAGE``); returns how many were written."""
    engine().rebuild()
    count = 0
    last = 0
    while True:
        ids = list(
            Case.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return count
        for case_id in ids:
            index_case(case_id)
        count += len(ids)
        last = ids[-1]


# Receivers: connected by CasesConfig.ready.


def _case_saved(sender: type[Case], instance: Case, created: bool, **kwargs: Any) -> None:
    fields = kwargs.get("update_fields")
    if created or fields is None or INDEXED_FIELDS & set(fields):
        index_case(instance.pk, case=instance, fresh=created)


def _part_changed(
    sender: type[Comment | Attachment], instance: Comment | Attachment, **kwargs: Any
) -> None:
    origin = kwargs.get("origin")
    # Deleted with its case: the case's document goes with it; rebuilding it here would
    # leave a row pointing at a deleted case.
    if isinstance(origin, Case) or (isinstance(origin, QuerySet) and origin.model is Case):
        return
    if kwargs.get("created") and _appended(instance):
        return
    index_case(instance.case_id)


def _appended(part: Comment | Attachment) -> bool:
    """A new comment or attachment added to the end of its case's document (one
    statement on PostgreSQL) rather than the document rebuilt (three): the same words,
    only in the order they were written. An edit or a deletion rebuilds."""
    text = part.body if isinstance(part, Comment) else part.name
    if not text:
        return True  # document_texts leaves out empty parts
    return engine().append(part.case_id, text, public=part.public, at=clock.resolve(None))


def _case_deleted(sender: type[Case], instance: Case, **_: Any) -> None:
    engine().remove(instance.pk)


def connect() -> None:
    post_save.connect(_case_saved, sender=Case, dispatch_uid="search.case_saved")
    post_delete.connect(_case_deleted, sender=Case, dispatch_uid="search.case_deleted")
    for model in (Comment, Attachment):
        post_save.connect(
            _part_changed, sender=model, dispatch_uid=f"search.{model.__name__}.saved"
        )
        post_delete.connect(
            _part_changed, sender=model, dispatch_uid=f"search.{model.__name__}.deleted"
        )
