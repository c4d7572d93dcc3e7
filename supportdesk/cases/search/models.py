"""What finding work stores: each case's search document, people's saved views and
the record of a duplicate merged into another case.

Imported by ``cases.models`` so Django registers them with the cases app; kept apart
so the case model's module stays about cases.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    """The text a case is found by, rebuilt by ``cases.search.index`` whenever the case,
    its comments or its attachments change (in the same transaction).

    ``public_text`` is what the case's customers may read (title, description, intake
    details, public comments and attachment names, reference, organisation, requester);
    ``staff_text`` adds internal notes and attachments and the hand-over note. A
    customer's search reads only the public side, so a word in an internal note can never
    find a case for them. On PostgreSQL the two ``tsvector`` columns hold the indexed
    form (GIN-indexed, see migration 0009) and ``heading_vector`` what ranks; on SQLite they stay empty and two FTS5 tables
    (``cases_search_public``/``_staff``, rowid = case id) hold it instead.

    A table of its own, not columns of ``cases_case``: the queue's table and its index
    stay as they were, and rewriting a document never rewrites a case row.
    """

    case = models.OneToOneField(
        "cases.Case",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_document",
        verbose_name=_("case"),
    )
    public_text = models.TextField(verbose_name=_("public text"))
    staff_text = models.TextField(verbose_name=_("staff text"))
    public_vector = SearchVectorField(null=True, verbose_name=_("public vector"))
    staff_vector = SearchVectorField(null=True, verbose_name=_("staff vector"))
    #: Reference and title (weight A) and organisation (B), PostgreSQL only: what a
    #: search ranks by, small enough to stay inline (migration 0012).
    heading_vector = SearchVectorField(null=True, verbose_name=_("heading vector"))
    #: Where the text below the heading lines (reference, title, organisation,
    #: requester) starts in both texts: a snippet is taken from there on, since the
    #: result row shows the heading already (``cases.search.index.DocumentTexts``).
    body_start = models.PositiveIntegerField(default=0, verbose_name=_("body start"))
    indexed_at = models.DateTimeField(verbose_name=_("indexed at"))

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")


class SavedView(models.Model):
    """A queue filter someone saved: personal (only the owner sees it) or shared with
    every member of the vendor's staff. ``filters`` holds the queue form's fields
    (``status``, ``severity``, ``region``, ``view``, ``assignee``, ``q``)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_views",
        verbose_name=_("owner"),
    )
    name = models.CharField(max_length=80, verbose_name=_("name"))
    shared = models.BooleanField(default=False, verbose_name=_("shared"))
    filters = models.JSONField(default=dict, verbose_name=_("filters"))
    created_at = models.DateTimeField(verbose_name=_("created at"))

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_view_owner_name_unique")
        ]
        indexes = [models.Index(fields=["shared", "name"], name="saved_view_shared_idx")]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")

    def __str__(self) -> str:
        return self.name


class CaseMerge(models.Model):
    """A duplicate case merged into another of its organisation: the duplicate is closed,
    its conversation moved to ``into``; mail threaded to the duplicate, and its
    reference, lead to ``into`` from here."""

    merged = models.OneToOneField(
        "cases.Case",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="merge",
        verbose_name=_("merged"),
    )
    into = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="merged_cases", verbose_name=_("into")
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(verbose_name=_("at"))

    class Meta:
        verbose_name = _("case merge")
        verbose_name_plural = _("case merges")
