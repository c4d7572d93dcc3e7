"""Satisfaction surveys: one per resolved case, its rating and comment."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from supportdesk.domain.satisfaction import Rating


class Survey(models.Model):
    """The survey sent to a resolved case's requester: rated good or bad (with an
    optional comment) once, and changeable until ``open_until``. What the report groups
    by (region, agent) is kept as it was when the case was resolved."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="survey", verbose_name=_("case")
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("requester"),
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("organization"),
    )
    region = models.CharField(max_length=32, verbose_name=_("region"))
    #: The agent the case was assigned to when resolved (None: nobody was).
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("agent"),
    )
    #: False when the policy asks no survey for this case (a work order, or surveys
    #: off): the row only records that the case was considered.
    asked = models.BooleanField(default=True, verbose_name=_("asked"))
    sent_at = models.DateTimeField(verbose_name=_("sent at"))
    open_until = models.DateTimeField(verbose_name=_("open until"))
    rating = models.CharField(
        max_length=8,
        choices=[(r.value, r.value) for r in Rating],
        blank=True,
        verbose_name=_("rating"),
    )
    comment = models.TextField(blank=True, verbose_name=_("comment"))
    rated_at = models.DateTimeField(null=True, blank=True, verbose_name=_("rated at"))
    #: When the mail's link recorded a rating: the link works once (later changes are
    #: made signed in, in the portal).
    link_used_at = models.DateTimeField(null=True, blank=True, verbose_name=_("link used at"))

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["rated_at"], name="survey_rated_idx")]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
