"""Mail in: every inbound message as received (the threading headers of the mail sent
live beside the case, ``cases.models.OutboundMail``).

Invariants:

* an :class:`InboundMessage` keeps the raw bytes as received, whatever happened next,
  so no mail is lost: a message that could not be processed is ``failed`` with its
  error and can be replayed;
* ``(message_id, content_hash)`` is unique: a second delivery of the same message is
  ignored (the hash leaves out the trace headers each delivery adds), while a different
  message that reuses a Message-ID is a message of its own (a message without a
  Message-ID gets one derived from its content);
* a robot's message (``automatic``) may name the case it answered, but never changed it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class InboundState(models.TextChoices):
    RECEIVED = "received", _("Received, not processed yet")
    OPENED = "opened", _("Opened a case")
    COMMENTED = "commented", _("Added to a case")
    REOPENED = "reopened", _("Reopened a closed case")
    FOLLOW_UP = "follow_up", _("Closed a phone follow-up (INT-5)")
    PAGE_ACK = "page_ack", _("Acknowledged a page")
    ESCALATION = "escalation", _("Requested or answered an escalation")
    HELD = "held", _("Held: unknown sender")
    REJECTED = "rejected", _("Rejected: unknown sender")
    AUTOMATIC = "automatic", _("Automatic (auto-reply, bounce, list): recorded only")
    RATE_LIMITED = "rate_limited", _("Over the sender's hourly limit")
    FAILED = "failed", _("Failed: kept for replay")


#: States an admin may replay (run through the pipeline again).
REPLAYABLE = frozenset({InboundState.FAILED, InboundState.RECEIVED, InboundState.RATE_LIMITED})


class InboundVia(models.TextChoices):
    SMTP = "smtp", _("SMTP")
    LMTP = "lmtp", _("LMTP")
    PIPE = "pipe", _("Mail pipe")


class InboundMessage(models.Model):
    #: Looked up by the unique ``(message_id, content_hash)`` index, whose first column
    #: it is: no index of its own (two fewer to write per message).
    message_id = models.CharField(max_length=255, verbose_name=_("message id"))
    #: SHA-256 of the message without its trace headers (``domain.mail_headers``).
    content_hash = models.CharField(max_length=64, default="", verbose_name=_("content hash"))
    raw = models.BinaryField(verbose_name=_("raw"))
    size = models.PositiveIntegerField(verbose_name=_("size"))
    #: The author (From:), lower-cased; the envelope sender is kept beside it.
    sender = models.CharField(max_length=254, db_index=False, verbose_name=_("sender"))
    envelope_sender = models.CharField(
        max_length=254, blank=True, verbose_name=_("envelope sender")
    )
    recipients = models.TextField(blank=True, verbose_name=_("recipients"))
    subject = models.CharField(max_length=300, blank=True, verbose_name=_("subject"))
    via = models.CharField(max_length=8, choices=InboundVia.choices, verbose_name=_("via"))
    received_at = models.DateTimeField(verbose_name=_("received at"))
    processed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("processed at"))
    state = models.CharField(
        max_length=16,
        choices=InboundState.choices,
        default=InboundState.RECEIVED,
        verbose_name=_("state"),
    )
    #: Why the message ended in its state (the automatic reason, the error, ...).
    reason = models.TextField(blank=True, verbose_name=_("reason"))
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    #: The case the message opened or was added to; ``case.received_mail`` from the case
    #: (case mail threads its References through it).
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="received_mail",
        verbose_name=_("case"),
    )
    #: A reply after the reopen window opens a new case that follows up this one.
    follows_case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("follows case"),
    )
    #: The attachments not kept on the case: ``{"file", "type", "reason"}`` each.
    refused = models.JSONField(default=list, blank=True, verbose_name=_("refused"))
    #: Set by an agent on a held message: the organisation the sender belongs to.
    organization = models.ForeignKey(
        "accounts.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("organization"),
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["message_id", "content_hash"], name="inbound_one_per_content"
            )
        ]
        indexes = [
            models.Index(fields=["sender", "received_at"], name="inbound_sender_rate_idx"),
            models.Index(fields=["state", "received_at"], name="inbound_state_idx"),
        ]
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")

    def __str__(self) -> str:
        return f"{self.message_id} from {self.sender} ({self.state})"
