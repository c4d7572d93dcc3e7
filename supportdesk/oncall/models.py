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
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.CASCADE, related_name="schedules", verbose_name=_("team")
    )
    name = models.CharField(max_length=120, unique=True, verbose_name=_("name"))
    #: The zone the schedule is shown in (each layer hands off in its own zone).
    zone = models.CharField(max_length=64, default="UTC", verbose_name=_("zone"))
    #: A page re-notifies its targets this often until acknowledged.
    renotify_minutes = models.PositiveIntegerField(default=5, verbose_name=_("renotify minutes"))
    #: And escalates to the next level after this long without an acknowledgement.
    escalate_after_minutes = models.PositiveIntegerField(
        default=15, verbose_name=_("escalate after minutes")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")

    def __str__(self) -> str:
        return self.name


class Layer(models.Model):
    """One rotation of a schedule; lower ``position`` wins."""

    schedule = models.ForeignKey(
        Schedule, on_delete=models.CASCADE, related_name="layers", verbose_name=_("schedule")
    )
    name = models.CharField(max_length=80, verbose_name=_("name"))
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("position"))
    handoff_time = models.TimeField(verbose_name=_("handoff time"))
    zone = models.CharField(max_length=64, verbose_name=_("zone"))
    period = models.CharField(
        max_length=8,
        choices=[(p.value, p.value) for p in RotationPeriod],
        default="weekly",
        verbose_name=_("period"),
    )
    #: Monday is 0; required for a weekly rotation, empty for a daily one.
    handoff_weekday = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name=_("handoff weekday")
    )
    start = models.DateField(verbose_name=_("start"))

    class Meta:
        ordering = ["schedule", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "name"], name="layer_name_per_schedule")
        ]
        verbose_name = _("layer")
        verbose_name_plural = _("layers")

    def __str__(self) -> str:
        return f"{self.schedule} / {self.name}"


class LayerParticipant(models.Model):
    layer = models.ForeignKey(
        Layer, on_delete=models.CASCADE, related_name="participants", verbose_name=_("layer")
    )
    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    position = models.PositiveSmallIntegerField(verbose_name=_("position"))

    class Meta:
        ordering = ["layer", "position"]
        constraints = [
            models.UniqueConstraint(fields=["layer", "position"], name="participant_position")
        ]
        verbose_name = _("layer participant")
        verbose_name_plural = _("layer participants")


class Override(models.Model):
    """``user`` is on call during [start, end), whatever the layers say."""

    schedule = models.ForeignKey(
        Schedule, on_delete=models.CASCADE, related_name="overrides", verbose_name=_("schedule")
    )
    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    start = models.DateTimeField(verbose_name=_("start"))
    end = models.DateTimeField(verbose_name=_("end"))
    created_at = models.DateTimeField(verbose_name=_("created at"))

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="override_ends_after_start"
            )
        ]
        verbose_name = _("override")
        verbose_name_plural = _("overrides")


class PageStatus(models.TextChoices):
    PAGING = "paging", _("Paging")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    EXHAUSTED = "exhausted", _("Exhausted")
    RESOLVED = "resolved", _("Resolved")


class AckVia(models.TextChoices):
    API = "api", _("API")
    #: The signed link a page's message carries.
    WEB = "web", _("Web link")
    EMAIL = "email", _("Email reply")
    #: The on-call board's button.
    CONSOLE = "console", _("Console")


class Page(models.Model):
    schedule = models.ForeignKey(
        Schedule, on_delete=models.PROTECT, related_name="pages", verbose_name=_("schedule")
    )
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pages",
        verbose_name=_("case"),
    )
    summary = models.CharField(max_length=300, verbose_name=_("summary"))
    severity = models.PositiveSmallIntegerField(verbose_name=_("severity"))
    #: E.164 (INT-2: an after-hours emergency report carries a callback number).
    callback_number = models.CharField(max_length=20, blank=True, verbose_name=_("callback number"))
    #: The escalation steps frozen at creation: ``[{"targets": [user ids],
    #: "escalate_after": seconds, "renotify_every": seconds | null}, ...]``.
    steps = models.JSONField(verbose_name=_("steps"))
    status = models.CharField(
        max_length=16,
        choices=PageStatus.choices,
        default=PageStatus.PAGING,
        verbose_name=_("status"),
    )
    created_at = models.DateTimeField(verbose_name=_("created at"))
    #: When the sweep should look at this page again (null: never).
    wake_at = models.DateTimeField(null=True, blank=True, verbose_name=_("wake at"))
    #: Who holds the page now (the on-call person it was last handed to).
    holder = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("holder"),
    )
    #: Follow on-call hand-offs while the case is open (RSP-1: Sev1 work is continuous).
    follows_handoffs = models.BooleanField(default=False, verbose_name=_("follows handoffs"))
    coverage_gap = models.BooleanField(default=False, verbose_name=_("coverage gap"))
    acknowledged_at = models.DateTimeField(null=True, blank=True, verbose_name=_("acknowledged at"))
    acknowledged_by = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    acknowledged_via = models.CharField(
        max_length=8, choices=AckVia.choices, blank=True, verbose_name=_("acknowledged via")
    )
    resolved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("resolved at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "wake_at"], name="page_sweep_idx")]
        verbose_name = _("page")
        verbose_name_plural = _("pages")

    def __str__(self) -> str:
        return f"page {self.pk}: {self.summary}"


class NotificationReason(models.TextChoices):
    PAGE = "page", _("First notification of a step")
    RENOTIFY = "renotify", _("Re-notification")
    HANDOFF = "handoff", _("Hand-off to the next on-call engineer")


class PageNotification(models.Model):
    page = models.ForeignKey(
        Page, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("page")
    )
    target = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="+", verbose_name=_("target")
    )
    step = models.PositiveSmallIntegerField(verbose_name=_("step"))
    round = models.PositiveSmallIntegerField(verbose_name=_("round"))
    reason = models.CharField(
        max_length=8, choices=NotificationReason.choices, verbose_name=_("reason")
    )
    due_at = models.DateTimeField(verbose_name=_("due at"))
    created_at = models.DateTimeField(verbose_name=_("created at"))
    message = models.ForeignKey(
        "notifications.OutboxMessage",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("message"),
    )
    #: The stable identity of the slot (``step:target:round`` or ``handoff:…``).
    key = models.CharField(max_length=120, verbose_name=_("key"))

    class Meta:
        ordering = ["page", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["page", "key"], name="page_notification_once")
        ]
        verbose_name = _("page notification")
        verbose_name_plural = _("page notifications")


class CoverageGap(models.Model):
    """Nobody on the schedule's layers at ``at``: the fallback person was paged."""

    schedule = models.ForeignKey(
        Schedule, on_delete=models.CASCADE, related_name="gaps", verbose_name=_("schedule")
    )
    page = models.ForeignKey(
        Page, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("page")
    )
    at = models.DateTimeField(verbose_name=_("at"))
    fallback = models.ForeignKey(
        "accounts.User",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("fallback"),
    )

    class Meta:
        ordering = ["-at"]
        verbose_name = _("coverage gap")
        verbose_name_plural = _("coverage gaps")
