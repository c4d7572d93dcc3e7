"""Policies as stored data: every loaded revision is kept, so a case can always say
under which policy version its deadlines were computed."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Policy(models.Model):
    """A named support contract (``partner-services``); its text lives in versions."""

    key = models.SlugField(max_length=80, unique=True, verbose_name=_("key"))
    name = models.CharField(max_length=200, verbose_name=_("name"))
    current_version = models.ForeignKey(
        "policies.PolicyVersion",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("current version"),
    )

    class Meta:
        ordering = ["key"]
        verbose_name_plural = _("policies")
        verbose_name = _("policy")

    def __str__(self) -> str:
        return self.key


class PolicyVersion(models.Model):
    """One immutable revision of a policy file, exactly as it was loaded."""

    policy = models.ForeignKey(
        Policy, on_delete=models.PROTECT, related_name="versions", verbose_name=_("policy")
    )
    version = models.CharField(max_length=40, verbose_name=_("version"))
    source = models.TextField(verbose_name=_("source"))
    sha256 = models.CharField(max_length=64, verbose_name=_("sha256"))
    loaded_at = models.DateTimeField(verbose_name=_("loaded at"))

    class Meta:
        ordering = ["policy", "-loaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "version"], name="policy_version_unique")
        ]
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")

    def __str__(self) -> str:
        return f"{self.policy.key} {self.version}"
