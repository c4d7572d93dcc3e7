"""A case's SLA clocks and the severity changes that re-target them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    pass
from supportdesk.cases.models.case import Case


class ClockState(models.TextChoices):
    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    BREACHED = "breached"
    NOT_APPLICABLE = "not_applicable"


class SlaClock(models.Model):
    """One target kind of one case as last computed by ``domain.sla`` (RSP-6).

    A cache of a pure computation over the case's events, refreshed after every event;
    ``next_deadline_at`` is what the sweep scans for.
    """

    # Looked up through sla_clock_case_kind_unique, which starts with the case.
    case = models.ForeignKey(
        Case,
        on_delete=models.CASCADE,
        related_name="clocks",
        db_index=False,
        verbose_name=_("case"),
    )
    kind = models.CharField(max_length=20, verbose_name=_("kind"))
    state = models.CharField(max_length=16, choices=ClockState.choices, verbose_name=_("state"))
    severity = models.PositiveSmallIntegerField(verbose_name=_("severity"))
    target_seconds = models.PositiveIntegerField(null=True, verbose_name=_("target seconds"))
    calendar = models.CharField(max_length=60, blank=True, verbose_name=_("calendar"))
    started_at = models.DateTimeField(null=True, verbose_name=_("started at"))
    due_at = models.DateTimeField(null=True, verbose_name=_("due at"))
    met_at = models.DateTimeField(null=True, verbose_name=_("met at"))
    breached_at = models.DateTimeField(null=True, verbose_name=_("breached at"))
    elapsed_seconds = models.IntegerField(null=True, verbose_name=_("elapsed seconds"))
    remaining_seconds = models.IntegerField(null=True, verbose_name=_("remaining seconds"))
    paused_seconds = models.IntegerField(default=0, verbose_name=_("paused seconds"))
    #: [{"fraction": 0.75, "at": iso|None, "reached": bool}]
    warnings = models.JSONField(default=list, verbose_name=_("warnings"))
    #: Fractions whose warning event was recorded, and whether the breach was (idempotency).
    warnings_recorded = models.JSONField(default=list, verbose_name=_("warnings recorded"))
    breach_recorded = models.BooleanField(default=False, verbose_name=_("breach recorded"))
    next_deadline_at = models.DateTimeField(null=True, verbose_name=_("next deadline at"))
    computed_at = models.DateTimeField(verbose_name=_("computed at"))

    class Meta:
        # By the column, not the relation: ordering by "case" would join the case
        # table for its queue order on every read of a case's clocks.
        ordering = ["case_id", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["case", "kind"], name="sla_clock_case_kind_unique")
        ]
        indexes = [
            models.Index(fields=["next_deadline_at"], name="sla_clock_next_deadline_idx"),
            models.Index(fields=["due_at"], name="sla_clock_due_idx"),
        ]
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")


class SeverityChange(models.Model):
    """SEV-4: who changed the severity, when, from what, to what and why."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="severity_changes", verbose_name=_("case")
    )
    at = models.DateTimeField(verbose_name=_("at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    from_severity = models.PositiveSmallIntegerField(verbose_name=_("from severity"))
    to_severity = models.PositiveSmallIntegerField(verbose_name=_("to severity"))
    reason = models.TextField(verbose_name=_("reason"))

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("severity change")
        verbose_name_plural = _("severity changes")
