"""On-call schedules (layers, overrides), pages and their notifications.

Invariants:

* a :class:`Page` freezes its escalation steps (``steps``) when it is created: editing
  the schedule later never changes a running page;
* one :class:`PageNotification` per (page, step, target, round) and per hand-off, so a
  sweep that runs twice notifies nobody twice;
* a page never has nobody to notify: without anyone on call it goes to the team's
  escalation manager and a :class:`CoverageGap` is recorded.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from supportdesk.domain.oncall import RotationPeriod


class Schedule(models.Model):
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="schedules")
    name = models.CharField(max_length=120, unique=True)
    #: The zone the schedule is shown in (each layer hands off in its own zone).
    zone = models.CharField(max_length=64, default="UTC")
    #: A page re-notifies its targets this often until acknowledged.
    renotify_minutes = models.PositiveIntegerField(default=5)
    #: And escalates to the next level after this long without an acknowledgement.
    escalate_after_minutes = models.PositiveIntegerField(default=15)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Layer(models.Model):
    """One rotation of a schedule; lower ``position`` wins."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="layers")
    name = models.CharField(max_length=80)
    position = models.PositiveSmallIntegerField(default=0)
    handoff_time = models.TimeField()
    zone = models.CharField(max_length=64)
    period = models.CharField(
        max_length=8, choices=[(p.value, p.value) for p in RotationPeriod], default="weekly"
    )
    #: Monday is 0; required for a weekly rotation, empty for a daily one.
    handoff_weekday = models.PositiveSmallIntegerField(null=True, blank=True)
    start = models.DateField()

    class Meta:
        ordering = ["schedule", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "name"], name="layer_name_per_schedule")
        ]

    def __str__(self) -> str:
        return f"{self.schedule} / {self.name}"


class LayerParticipant(models.Model):
    layer = models.ForeignKey(Layer, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["layer", "position"]
        constraints = [
            models.UniqueConstraint(fields=["layer", "position"], name="participant_position")
        ]


class Override(models.Model):
    """``user`` is on call during [start, end), whatever the layers say."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="overrides")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    start = models.DateTimeField()
    end = models.DateTimeField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="override_ends_after_start"
            )
        ]


class PageStatus(models.TextChoices):
    PAGING = "paging", _("Paging")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    EXHAUSTED = "exhausted", _("Exhausted")
    RESOLVED = "resolved", _("Resolved")


class AckVia(models.TextChoices):
    API = "api", _("API")
    WEB = "web", _("Web link")
    EMAIL = "email", _("Email reply")


class Page(models.Model):
    schedule = models.ForeignKey(Schedule, on_delete=models.PROTECT, related_name="pages")
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="pages"
    )
    summary = models.CharField(max_length=300)
    severity = models.PositiveSmallIntegerField()
    #: E.164 (INT-2: an after-hours emergency report carries a callback number).
    callback_number = models.CharField(max_length=20, blank=True)
    #: The escalation steps frozen at creation: ``[{"targets": [user ids],
    #: "escalate_after": seconds, "renotify_every": seconds | null}, ...]``.
    steps = models.JSONField()
    status = models.CharField(max_length=16, choices=PageStatus.choices, default=PageStatus.PAGING)
    created_at = models.DateTimeField()
    #: When the sweep should look at this page again (null: never).
    wake_at = models.DateTimeField(null=True, blank=True)
    #: Who holds the page now (the on-call person it was last handed to).
    holder = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: Follow on-call hand-offs while the case is open (RSP-1: Sev1 work is continuous).
    follows_handoffs = models.BooleanField(default=False)
    coverage_gap = models.BooleanField(default=False)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_via = models.CharField(max_length=8, choices=AckVia.choices, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "wake_at"], name="page_sweep_idx")]

    def __str__(self) -> str:
        return f"page {self.pk}: {self.summary}"


class NotificationReason(models.TextChoices):
    PAGE = "page", _("First notification of a step")
    RENOTIFY = "renotify", _("Re-notification")
    HANDOFF = "handoff", _("Hand-off to the next on-call engineer")


class PageNotification(models.Model):
    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="notifications")
    target = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    step = models.PositiveSmallIntegerField()
    round = models.PositiveSmallIntegerField()
    reason = models.CharField(max_length=8, choices=NotificationReason.choices)
    due_at = models.DateTimeField()
    created_at = models.DateTimeField()
    message = models.ForeignKey(
        "notifications.OutboxMessage", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: The stable identity of the slot (``step:target:round`` or ``handoff:…``).
    key = models.CharField(max_length=120)

    class Meta:
        ordering = ["page", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["page", "key"], name="page_notification_once")
        ]


class CoverageGap(models.Model):
    """Nobody on the schedule's layers at ``at``: the fallback person was paged."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="gaps")
    page = models.ForeignKey(Page, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()
    fallback = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-at"]
