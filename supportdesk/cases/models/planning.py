"""Planning a case's work: sprints (PRI-1), releases, and the stamp that tells every
process the teams or sprints changed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    pass


class Sprint(models.Model):
    """A development team's sprint, its days ``starts_on`` to ``ends_on`` included; the
    current one covers today (PRI-1). The sprints of one team never overlap (checked by
    ``services.create_sprint``); ``team`` null is the shared plan of work no team owns."""

    name = models.CharField(max_length=80, unique=True, verbose_name=_("name"))
    # Looked up through sprint_team_start_idx, which starts with the team.
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sprints",
        db_index=False,
        verbose_name=_("team"),
    )
    starts_on = models.DateField(verbose_name=_("starts on"))
    ends_on = models.DateField(verbose_name=_("ends on"))

    class Meta:
        ordering = ["starts_on"]
        indexes = [
            models.Index(fields=["starts_on", "ends_on"], name="sprint_span_idx"),
            models.Index(fields=["team", "starts_on"], name="sprint_team_start_idx"),
        ]
        verbose_name = _("sprint")
        verbose_name_plural = _("sprints")

    def __str__(self) -> str:
        return self.name


class PlanningStamp(models.Model):
    """One row: a random value drawn anew whenever a team or a sprint is saved or
    deleted (``cases.planning_stamp``), so every process can tell whether the support
    teams and sprints it keeps in memory are still the database's."""

    value = models.BigIntegerField(verbose_name=_("value"))

    class Meta:
        verbose_name = _("planning stamp")
        verbose_name_plural = _("planning stamps")


class Release(models.Model):
    """A release carrying permanent fixes (RSP-5)."""

    version = models.CharField(max_length=40, unique=True, verbose_name=_("version"))
    planned_for = models.DateField(null=True, blank=True, verbose_name=_("planned for"))
    notes = models.TextField(blank=True, verbose_name=_("notes"))
    created_at = models.DateTimeField(verbose_name=_("created at"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("release")
        verbose_name_plural = _("releases")

    def __str__(self) -> str:
        return self.version
