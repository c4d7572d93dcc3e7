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
    name = models.CharField(max_length=80, unique=True, verbose_name=_("name"))
    slug = models.SlugField(max_length=80, unique=True, verbose_name=_("slug"))
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("position"))

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = _("categories")
        verbose_name = _("category")

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    """The current text of an article; every change is also kept as an
    :class:`ArticleVersion` (who changed what, when)."""

    slug = models.SlugField(max_length=120, unique=True, verbose_name=_("slug"))
    title = models.CharField(max_length=200, verbose_name=_("title"))
    #: Markdown, rendered with markdown-it-py and sanitised with nh3 when shown.
    body = models.TextField(verbose_name=_("body"))
    visibility = models.CharField(
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.INTERNAL,
        verbose_name=_("visibility"),
    )
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
        verbose_name=_("category"),
    )
    version = models.PositiveIntegerField(default=1, verbose_name=_("version"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(verbose_name=_("created at"))
    updated_at = models.DateTimeField(verbose_name=_("updated at"))
    #: When someone last confirmed the article is still right (reviews keep it true).
    reviewed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("reviewed at"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reviewed by"),
    )

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["visibility", "updated_at"], name="article_visible_idx")]
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def __str__(self) -> str:
        return self.title


class ArticleVersion(models.Model):
    """An article as one change left it (append-only)."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="versions", verbose_name=_("article")
    )
    version = models.PositiveIntegerField(verbose_name=_("version"))
    title = models.CharField(max_length=200, verbose_name=_("title"))
    body = models.TextField(verbose_name=_("body"))
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, verbose_name=_("visibility")
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(verbose_name=_("changed at"))
    note = models.CharField(max_length=200, blank=True, verbose_name=_("note"))

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["article", "version"], name="article_version_unique")
        ]
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")


class Deflection(models.Model):
    """A customer said an article solved the problem they were about to report."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="deflections", verbose_name=_("article")
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("organization"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("user"),
    )
    #: What they had typed when the article was suggested.
    query = models.CharField(max_length=200, blank=True, verbose_name=_("query"))
    created_at = models.DateTimeField(verbose_name=_("created at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_at"], name="deflection_at_idx")]
        verbose_name = _("deflection")
        verbose_name_plural = _("deflections")
