"""Work around a case: follow-up tasks, idempotency keys of creates, and the envelope of
the mail sent about it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    pass
from supportdesk.cases.models.case import Case


class FollowUpStatus(models.TextChoices):
    OPEN = "open"
    DONE = "done"


class FollowUpTask(models.Model):
    """INT-5: after a Sev1 by phone, a detailed email to the account manager is owed."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("case")
    )
    kind = models.CharField(max_length=40, default="phone_sev1_email", verbose_name=_("kind"))
    description = models.TextField(verbose_name=_("description"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("assignee"),
    )
    status = models.CharField(
        max_length=8,
        choices=FollowUpStatus.choices,
        default=FollowUpStatus.OPEN,
        verbose_name=_("status"),
    )
    created_at = models.DateTimeField(verbose_name=_("created at"))
    #: Within the region's business hours after the call (INT-5); reminded once missed.
    due_at = models.DateTimeField(null=True, blank=True, verbose_name=_("due at"))
    reminded_at = models.DateTimeField(null=True, blank=True, verbose_name=_("reminded at"))
    done_at = models.DateTimeField(null=True, blank=True, verbose_name=_("done at"))
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("done by"),
    )
    note = models.TextField(blank=True, verbose_name=_("note"))

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "created_at"], name="follow_up_open_idx")]
        verbose_name = _("follow-up task")
        verbose_name_plural = _("follow-up tasks")


class IdempotencyKey(models.Model):
    """A create request's key: a retry returns the same case, a different body is a 409."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    key = models.CharField(max_length=200, verbose_name=_("key"))
    fingerprint = models.CharField(max_length=64, verbose_name=_("fingerprint"))
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="+", verbose_name=_("case")
    )
    created_at = models.DateTimeField(verbose_name=_("created at"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key_unique")
        ]
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")


class OutboundMail(models.Model):
    """The mail side of an outbox message about a case (or of an automatic answer to a
    message that opened none): the Message-ID it is sent with, so replies thread back to
    the case, its threading headers and its HTML part. One per outbox message."""

    outbox = models.OneToOneField(
        "notifications.OutboxMessage",
        on_delete=models.CASCADE,
        related_name="mail_envelope",
        verbose_name=_("outbox"),
    )
    message_id = models.CharField(max_length=255, unique=True, verbose_name=_("message id"))
    case = models.ForeignKey(
        Case,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("case"),
    )
    in_reply_to = models.CharField(max_length=255, blank=True, verbose_name=_("in reply to"))
    references = models.TextField(blank=True, verbose_name=_("references"))
    #: RFC 3834: ``auto-replied`` for the receipt, ``auto-generated`` for the rest.
    auto_submitted = models.CharField(
        max_length=20, default="auto-generated", verbose_name=_("auto submitted")
    )
    html = models.TextField(blank=True, verbose_name=_("html"))
    created_at = models.DateTimeField(verbose_name=_("created at"))

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"], name="outbound_case_idx")]
        verbose_name = _("outbound mail")
        verbose_name_plural = _("outbound mail")

    def headers(self) -> dict[str, str]:
        out = {"Message-ID": self.message_id, "Auto-Submitted": self.auto_submitted}
        if self.in_reply_to:
            out["In-Reply-To"] = self.in_reply_to
        if self.references:
            out["References"] = self.references
        return out

    def __str__(self) -> str:
        return self.message_id


# Registered with this app from their own module (finding work: search, saved views,
# merged duplicates).
from supportdesk.cases.search.models import CaseMerge, SavedView, SearchDocument  # noqa: E402, F401
