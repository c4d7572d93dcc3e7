"""Policies as stored data: every loaded revision is kept, so a case can always say
under which policy version its deadlines were computed."""

from __future__ import annotations

from django.db import models


class Policy(models.Model):
    """A named support contract (``partner-services``); its text lives in versions."""

    key = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    current_version = models.ForeignKey(
        "policies.PolicyVersion", null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["key"]
        verbose_name_plural = "policies"

    def __str__(self) -> str:
        return self.key


class PolicyVersion(models.Model):
    """One immutable revision of a policy file, exactly as it was loaded."""

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="versions")
    version = models.CharField(max_length=40)
    source = models.TextField()
    sha256 = models.CharField(max_length=64)
    loaded_at = models.DateTimeField()

    class Meta:
        ordering = ["policy", "-loaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "version"], name="policy_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.policy.key} {self.version}"
