"""Knowledge-base articles, their categories and versions, and deflections: a customer
who found the answer in an article instead of opening a case."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Visibility(models.TextChoices):
    #: On the signed-out help centre, in the portal and in intake suggestions.
    PUBLIC = "public", _("Public")
    #: Vendor staff only: never shown to customers or signed-out visitors.
    INTERNAL = "internal", _("Internal")


class Category(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    """The current text of an article; every change is also kept as an
    :class:`ArticleVersion` (who changed what, when)."""

    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=200)
    #: Markdown, rendered with markdown-it-py and sanitised with nh3 when shown.
    body = models.TextField()
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    #: When someone last confirmed the article is still right (reviews keep it true).
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["visibility", "updated_at"], name="article_visible_idx")]

    def __str__(self) -> str:
        return self.title


class ArticleVersion(models.Model):
    """An article as one change left it (append-only)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    visibility = models.CharField(max_length=10, choices=Visibility.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["article", "version"], name="article_version_unique")
        ]


class Deflection(models.Model):
    """A customer said an article solved the problem they were about to report."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="deflections")
    organization = models.ForeignKey(
        "accounts.Organization", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: What they had typed when the article was suggested.
    query = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_at"], name="deflection_at_idx")]
