"""What happened on a case: its events, comments and attachments."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    pass
from supportdesk.cases.models.case import Case, Channel


class EventKind(models.TextChoices):
    OPENED = "opened"
    STATUS = "status"
    SEVERITY = "severity"
    COMMENT = "comment"
    ATTACHMENT = "attachment"
    ASSIGNED = "assigned"
    FOLLOW_UP = "follow_up"
    SPRINT = "sprint"
    RELEASE = "release"
    SLA_WARNING = "sla_warning"
    SLA_BREACH = "sla_breach"
    ESCALATION = "escalation"
    HANDOVER = "handover"
    EMERGENCY = "emergency"
    DETAILS = "details"
    POLICY = "policy"


class CaseEvent(models.Model):
    """Append-only timeline entry: who, when, what, before/after (never updated)."""

    # Looked up through case_event_timeline_idx, which starts with the case: a second
    # index on the column alone would only cost every insert.
    case = models.ForeignKey(
        Case,
        on_delete=models.CASCADE,
        related_name="events",
        db_index=False,
        verbose_name=_("case"),
    )
    at = models.DateTimeField(verbose_name=_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
    )
    kind = models.CharField(max_length=16, choices=EventKind.choices, verbose_name=_("kind"))
    #: Customers see only public events (an internal comment's event is internal).
    public = models.BooleanField(default=True, verbose_name=_("public"))
    data = models.JSONField(default=dict, verbose_name=_("data"))

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at", "id"], name="case_event_timeline_idx")]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")


class Comment(models.Model):
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="comments", verbose_name=_("case")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(verbose_name=_("body"))
    #: Internal comments are for vendor staff only.
    public = models.BooleanField(default=True, verbose_name=_("public"))
    channel = models.CharField(
        max_length=12, choices=Channel.choices, default=Channel.PORTAL, verbose_name=_("channel")
    )
    created_at = models.DateTimeField(verbose_name=_("created at"))

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at", "id"], name="comment_case_idx")]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")


class Attachment(models.Model):
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("case")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    file = models.FileField(upload_to="cases/%Y/%m/", verbose_name=_("file"))
    name = models.CharField(max_length=255, verbose_name=_("name"))
    content_type = models.CharField(max_length=100, verbose_name=_("content type"))
    size = models.PositiveBigIntegerField(verbose_name=_("size"))
    public = models.BooleanField(default=True, verbose_name=_("public"))
    created_at = models.DateTimeField(verbose_name=_("created at"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
