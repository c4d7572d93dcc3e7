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


class MessageKind(models.TextChoices):
    EMAIL = "email", "Email"
    PAGE = "page", "Page"
    WEBHOOK = "webhook", "Webhook"
    CHAT = "chat", "Chat"


class Priority(models.TextChoices):
    #: Never waits for working hours (pages, Sev1 messages).
    URGENT = "urgent", "Urgent"
    NORMAL = "normal", "Normal"


class OutboxState(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    DEAD = "dead", "Dead-lettered"
    #: Withdrawn before it went out (e.g. a re-notification of an acknowledged page).
    CANCELLED = "cancelled", "Cancelled"
    #: Folded into an earlier pending message to the same person about the same case
    #: (``combined_into``): the coalescing window of the notification rules.
    COMBINED = "combined", "Combined"


class OutboxMessage(models.Model):
    kind = models.CharField(max_length=16, choices=MessageKind.choices)
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    severity = models.PositiveSmallIntegerField(null=True, blank=True)
    #: Who receives it: a person, a team, or an explicit address (exactly one is used,
    #: in that order of preference: ``address`` beats the channels of user or team).
    recipient_user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipient_team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: An apprise URL or a plain email address, when the caller names the target itself.
    address = models.CharField(max_length=500, blank=True)
    subject = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    dedupe_key = models.CharField(max_length=200, unique=True)
    state = models.CharField(
        max_length=12, choices=OutboxState.choices, default=OutboxState.PENDING
    )
    created_at = models.DateTimeField()
    #: The earliest instant the message may go out (working hours, retry backoff).
    next_attempt_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_token = models.UUIDField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    #: Messages with the same key (one person, one case) pending within the coalescing
    #: window go out as one; empty: never combined (pages, Sev1, breaches).
    coalesce_key = models.CharField(max_length=120, blank=True)
    combined_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: The signed one-click unsubscribe link of non-essential mail (List-Unsubscribe).
    unsubscribe_url = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["next_attempt_at", "id"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["coalesce_key", "state"], name="outbox_coalesce"),
        ]

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
    )
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="contact_channels",
    )
    label = models.CharField(max_length=100, blank=True)
    url = models.CharField(max_length=500)
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(team__isnull=True))
                | (Q(user__isnull=True) & Q(team__isnull=False)),
                name="channel_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.label or self.url.split("://")[0]


class WorkingHours(models.Model):
    """A person's weekly working hours; non-urgent messages to them wait for these.

    ``weekly`` is seven lists (Monday first) of ``"HH:MM-HH:MM"`` local intervals in
    ``zone`` (empty: the person's own ``time_zone``). A person without a row has no
    calendar: their messages go out at once.
    """

    user = models.OneToOneField(
        "accounts.User", on_delete=models.CASCADE, related_name="working_hours"
    )
    zone = models.CharField(max_length=64, blank=True)
    weekly = models.JSONField()

    class Meta:
        verbose_name = "working hours"
        verbose_name_plural = "working hours"

    def __str__(self) -> str:
        return f"working hours of {self.user}"


class DeliveryAttempt(models.Model):
    """One try to hand a message to one target; ``ok`` targets are never tried again."""

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="deliveries")
    attempt = models.PositiveSmallIntegerField()
    #: The target with any secret part removed (scheme and host only).
    target = models.CharField(max_length=500)
    target_key = models.CharField(max_length=64)
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    ok = models.BooleanField()
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.message_id} #{self.attempt} {'ok' if self.ok else 'error'}"


class Notification(models.Model):
    """One in-app notice to one person (the bell): what happened on which case or
    escalation. A customer's rows only ever name their organisation's cases and public
    events (the notify service plans them so)."""

    recipient = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="notifications", db_index=False
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    escalation = models.ForeignKey(
        "escalations.Escalation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    event = models.CharField(max_length=40)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    #: Where the notice leads, for this recipient (portal or console page).
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

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

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.title}"


class Preferences(models.Model):
    """A person's language and, per event group, the channels they want (empty: the
    policy's rules decide). Pages, breaches and escalation decisions ignore these."""

    user = models.OneToOneField(
        "accounts.User", on_delete=models.CASCADE, related_name="notice_preferences"
    )
    language = models.CharField(max_length=16, blank=True)
    #: {group: ["email", "in_app"]}; a group absent keeps the policy's channels.
    channels = models.JSONField(default=dict)

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
    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=200, unique=True)
    #: What the expansion needs, as JSON: ids and the event's facts, never rendered text.
    payload = models.JSONField(default=dict)
    #: The instant of the event: the expansion tells it as of then.
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["next_attempt_at", "id"], name="fanout_due_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"
