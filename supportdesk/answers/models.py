"""Macros (a named reply with actions an agent applies in one click) and tags on cases."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Macro(models.Model):
    """A reply text with placeholders (``answers.placeholders``) and the changes that go
    with it. Personal (``owner`` set: only its owner sees it) or shared, optionally
    limited to one region or one team."""

    name = models.CharField(max_length=120)
    #: Jinja2 placeholders, checked when saved (unknown ones are refused).
    body = models.TextField(blank=True)
    #: The reply is public (told to the customer's side) or an internal note.
    public = models.BooleanField(default=True)
    #: The status to move the case to ("" leaves it).
    status = models.CharField(max_length=24, blank=True)
    severity = models.PositiveSmallIntegerField(null=True, blank=True)
    #: SEV-4: every severity change has a reason; a macro carries its own.
    severity_reason = models.CharField(max_length=200, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tags = models.JSONField(default=list, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="macros",
    )
    region = models.CharField(max_length=32, blank=True)
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    usage_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class CaseTag(models.Model):
    """A free tag on a case (lower case, no spaces), added by hand or by a macro."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=40)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["case", "name"], name="case_tag_unique")]
        indexes = [models.Index(fields=["name", "case"], name="case_tag_name_idx")]
