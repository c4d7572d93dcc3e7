"""The outbox: every message that leaves the system, its channels and delivery attempts.

Invariants:

* an :class:`OutboxMessage` is written in the same transaction as the change that
  caused it, and ``dedupe_key`` is unique, so one logical message exists at most once;
* ``state`` moves ``pending → sending → sent | pending (retry) | dead``; the moves out
  of ``sending`` are conditional UPDATEs on ``lease_token``, so a worker whose lease
  was taken over can no longer finish (or fail) the message;
* a :class:`ContactChannel` belongs to exactly one person or one team.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MessageKind(models.TextChoices):
    EMAIL = "email", _("Email")
    PAGE = "page", _("Page")
    WEBHOOK = "webhook", _("Webhook")
    CHAT = "chat", _("Chat")


class Priority(models.TextChoices):
    #: Never waits for working hours (pages, Sev1 messages).
    URGENT = "urgent", _("Urgent")
    NORMAL = "normal", _("Normal")


class OutboxState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DEAD = "dead", _("Dead-lettered")
    #: Withdrawn before it went out (e.g. a re-notification of an acknowledged page).
    CANCELLED = "cancelled", _("Cancelled")
    #: Folded into an earlier pending message to the same person about the same case
    #: (``combined_into``): the coalescing window of the notification rules.
    COMBINED = "combined", _("Combined")


class OutboxMessage(models.Model):
    kind = models.CharField(max_length=16, choices=MessageKind.choices, verbose_name=_("kind"))
    priority = models.CharField(
        max_length=8, choices=Priority.choices, default=Priority.NORMAL, verbose_name=_("priority")
    )
    severity = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("severity"))
    #: Who receives it: a person, a team, or an explicit address (exactly one is used,
    #: in that order of preference: ``address`` beats the channels of user or team).
    recipient_user = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recipient user"),
    )
    recipient_team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recipient team"),
    )
    #: An apprise URL or a plain email address, when the caller names the target itself.
    address = models.CharField(max_length=500, blank=True, verbose_name=_("address"))
    subject = models.CharField(max_length=300, verbose_name=_("subject"))
    body = models.TextField(blank=True, verbose_name=_("body"))
    dedupe_key = models.CharField(max_length=200, unique=True, verbose_name=_("dedupe key"))
    state = models.CharField(
        max_length=12,
        choices=OutboxState.choices,
        default=OutboxState.PENDING,
        verbose_name=_("state"),
    )
    created_at = models.DateTimeField(verbose_name=_("created at"))
    #: The earliest instant the message may go out (working hours, retry backoff).
    next_attempt_at = models.DateTimeField(verbose_name=_("next attempt at"))
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    lease_token = models.UUIDField(null=True, blank=True, verbose_name=_("lease token"))
    lease_expires_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("lease expires at")
    )
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))
    last_error = models.TextField(blank=True, verbose_name=_("last error"))
    #: Messages with the same key (one person, one case) pending within the coalescing
    #: window go out as one; empty: never combined (pages, Sev1, breaches).
    coalesce_key = models.CharField(max_length=120, blank=True, verbose_name=_("coalesce key"))
    combined_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("combined into"),
    )
    #: The signed one-click unsubscribe link of non-essential mail (List-Unsubscribe).
    unsubscribe_url = models.CharField(
        max_length=500, blank=True, verbose_name=_("unsubscribe url")
    )

    class Meta:
        ordering = ["next_attempt_at", "id"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["coalesce_key", "state"], name="outbox_coalesce"),
        ]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")

    def __str__(self) -> str:
        return f"{self.kind} {self.dedupe_key} ({self.state})"


class ContactChannel(models.Model):
    """Where a person or a team is reached: an apprise URL or a plain email address."""

    user = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="contact_channels",
        verbose_name=_("user"),
    )
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="contact_channels",
        verbose_name=_("team"),
    )
    label = models.CharField(max_length=100, blank=True, verbose_name=_("label"))
    url = models.CharField(max_length=500, verbose_name=_("url"))
    enabled = models.BooleanField(default=True, verbose_name=_("enabled"))

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(team__isnull=True))
                | (Q(user__isnull=True) & Q(team__isnull=False)),
                name="channel_one_owner",
            )
        ]
        verbose_name = _("contact channel")
        verbose_name_plural = _("contact channels")

    def __str__(self) -> str:
        return self.label or self.url.split("://")[0]


class WorkingHours(models.Model):
    """A person's weekly working hours; non-urgent messages to them wait for these.

    ``weekly`` is seven lists (Monday first) of ``"HH:MM-HH:MM"`` local intervals in
    ``zone`` (empty: the person's own ``time_zone``). A person without a row has no
    calendar: their messages go out at once.
    """

    user = models.OneToOneField(
        "accounts.User",
        on_delete=models.CASCADE,
        related_name="working_hours",
        verbose_name=_("user"),
    )
    zone = models.CharField(max_length=64, blank=True, verbose_name=_("zone"))
    weekly = models.JSONField(verbose_name=_("weekly"))

    class Meta:
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")

    def __str__(self) -> str:
        return f"working hours of {self.user}"


class DeliveryAttempt(models.Model):
    """One try to hand a message to one target; ``ok`` targets are never tried again."""

    message = models.ForeignKey(
        OutboxMessage,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("message"),
    )
    attempt = models.PositiveSmallIntegerField(verbose_name=_("attempt"))
    #: The target with any secret part removed (scheme and host only).
    target = models.CharField(max_length=500, verbose_name=_("target"))
    target_key = models.CharField(max_length=64, verbose_name=_("target key"))
    started_at = models.DateTimeField(verbose_name=_("started at"))
    duration_ms = models.PositiveIntegerField(verbose_name=_("duration ms"))
    ok = models.BooleanField(verbose_name=_("ok"))
    error = models.TextField(blank=True, verbose_name=_("error"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self) -> str:
        return f"{self.message_id} #{self.attempt} {'ok' if self.ok else 'error'}"


class Notification(models.Model):
    """One in-app notice to one person (the bell): what happened on which case or
    escalation. A customer's rows only ever name their organisation's cases and public
    events (the notify service plans them so)."""

    recipient = models.ForeignKey(
        "accounts.User",
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
        verbose_name=_("recipient"),
    )
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("case"),
    )
    escalation = models.ForeignKey(
        "escalations.Escalation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("escalation"),
    )
    event = models.CharField(max_length=40, verbose_name=_("event"))
    title = models.CharField(max_length=300, verbose_name=_("title"))
    body = models.TextField(blank=True, verbose_name=_("body"))
    #: Where the notice leads, for this recipient (portal or console page).
    url = models.CharField(max_length=300, blank=True, verbose_name=_("url"))
    created_at = models.DateTimeField(verbose_name=_("created at"))
    read_at = models.DateTimeField(null=True, blank=True, verbose_name=_("read at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notice_inbox_idx"),
            models.Index(
                fields=["recipient"],
                name="notice_unread_idx",
                condition=Q(read_at__isnull=True),
            ),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.title}"


class Preferences(models.Model):
    """A person's language and, per event group, the channels they want (empty: the
    policy's rules decide). Pages, breaches and escalation decisions ignore these."""

    user = models.OneToOneField(
        "accounts.User",
        on_delete=models.CASCADE,
        related_name="notice_preferences",
        verbose_name=_("user"),
    )
    language = models.CharField(max_length=16, blank=True, verbose_name=_("language"))
    #: {group: ["email", "in_app"]}; a group absent keeps the policy's channels.
    channels = models.JSONField(default=dict, verbose_name=_("channels"))

    class Meta:
        verbose_name = _("preferences")
        verbose_name_plural = _("preferences")

    def __str__(self) -> str:
        return f"preferences of {self.user_id}"


class FanOutJob(models.Model):
    """One event whose recipients are still to be told (docs/notifications.md, "Telling
    after the change").

    Written in the transaction of the change (so an event is never lost, and exists
    exactly when the change does); ``key`` is unique per event. The outbox worker
    expands it into the recipients' outbox rows and bell entries and deletes it in
    the same transaction, under a lock on the row: an expansion commits whole or not
    at all, and a job is expanded once however often (or on however many workers) the
    expansion runs. ``next_attempt_at`` is ``None`` once the expansion failed
    :data:`~.services.fanout.MAX_ATTEMPTS` times (kept for an operator, with the error)."""

    #: Which registered expansion tells it (``notifications.services.fanout``).
    kind = models.CharField(max_length=40, verbose_name=_("kind"))
    key = models.CharField(max_length=200, unique=True, verbose_name=_("key"))
    #: What the expansion needs, as JSON: ids and the event's facts, never rendered text.
    payload = models.JSONField(default=dict, verbose_name=_("payload"))
    #: The instant of the event: the expansion tells it as of then.
    created_at = models.DateTimeField(verbose_name=_("created at"))
    next_attempt_at = models.DateTimeField(null=True, blank=True, verbose_name=_("next attempt at"))
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    last_error = models.TextField(blank=True, verbose_name=_("last error"))

    class Meta:
        indexes = [models.Index(fields=["next_attempt_at", "id"], name="fanout_due_idx")]
        verbose_name = _("fan-out job")
        verbose_name_plural = _("fan-out jobs")

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"
