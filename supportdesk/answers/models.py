"""Macros (a named reply with actions an agent applies in one click) and tags on cases."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Macro(models.Model):
    """A reply text with placeholders (``answers.placeholders``) and the changes that go
    with it. Personal (``owner`` set: only its owner sees it) or shared, optionally
    limited to one region or one team."""

    name = models.CharField(max_length=120, verbose_name=_("name"))
    #: Jinja2 placeholders, checked when saved (unknown ones are refused).
    body = models.TextField(blank=True, verbose_name=_("body"))
    #: The reply is public (told to the customer's side) or an internal note.
    public = models.BooleanField(default=True, verbose_name=_("public"))
    #: The status to move the case to ("" leaves it).
    status = models.CharField(max_length=24, blank=True, verbose_name=_("status"))
    severity = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("severity"))
    #: SEV-4: every severity change has a reason; a macro carries its own.
    severity_reason = models.CharField(
        max_length=200, blank=True, verbose_name=_("severity reason")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("assignee"),
    )
    tags = models.JSONField(default=list, blank=True, verbose_name=_("tags"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="macros",
        verbose_name=_("owner"),
    )
    region = models.CharField(max_length=32, blank=True, verbose_name=_("region"))
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("team"),
    )
    usage_count = models.PositiveIntegerField(default=0, verbose_name=_("usage count"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(verbose_name=_("created at"))
    updated_at = models.DateTimeField(verbose_name=_("updated at"))

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("macro")
        verbose_name_plural = _("macros")

    def __str__(self) -> str:
        return self.name


class CaseTag(models.Model):
    """A free tag on a case (lower case, no spaces), added by hand or by a macro."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="tags", verbose_name=_("case")
    )
    name = models.CharField(max_length=40, verbose_name=_("name"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("added by"),
    )
    added_at = models.DateTimeField(verbose_name=_("added at"))

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["case", "name"], name="case_tag_unique")]
        indexes = [models.Index(fields=["name", "case"], name="case_tag_name_idx")]
        verbose_name = _("case tag")
        verbose_name_plural = _("case tags")
