"""Writing the knowledge base: one function per use case, each in one transaction.
Every change to an article keeps the text it left as a new :class:`ArticleVersion`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from supportdesk import clock
from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import require
from supportdesk.domain.errors import DomainError
from supportdesk.knowledge import selectors
from supportdesk.knowledge.models import Article, ArticleVersion, Category, Deflection, Visibility
from supportdesk.knowledge.permissions import can_record_deflection, can_write_articles

MAX_BODY = 100_000


class CategoryInUse(DomainError):
    """A category still holding articles cannot be deleted (HTTP 409)."""


@dataclass(frozen=True)
class ArticleDraft:
    title: str
    body: str
    visibility: str = Visibility.INTERNAL
    category_id: int | None = None
    #: Derived from the title when empty.
    slug: str = ""


@dataclass(frozen=True)
class ArticleChanges:
    """What an edit changes; ``None`` leaves a field as it is."""

    title: str | None = None
    body: str | None = None
    visibility: str | None = None
    category_id: int | None = None
    #: Set to move the article out of its category.
    clear_category: bool = False
    note: str = ""


def _check_text(title: str, body: str, visibility: str) -> None:
    if not title.strip():
        raise DomainError(_("give the article a title"), field="title")
    if len(title) > 200:
        raise DomainError(_("at most 200 characters"), field="title")
    if not body.strip():
        raise DomainError(_("the article has no text"), field="body")
    if len(body) > MAX_BODY:
        raise DomainError(_("at most %(limit)s characters") % {"limit": MAX_BODY}, field="body")
    if visibility not in Visibility.values:
        raise DomainError(
            _("one of: %(choices)s") % {"choices": ", ".join(Visibility.values)}, field="visibility"
        )


def _category(category_id: int | None) -> Category | None:
    if category_id is None:
        return None
    category = Category.objects.filter(pk=category_id).first()
    if category is None:
        raise DomainError(_("no such category"), field="category_id")
    return category


def _free_slug(wanted: str, title: str) -> str:
    base = slugify(wanted or title)[:100] or "article"
    if wanted and slugify(wanted) != wanted:
        raise DomainError(_("lower-case letters, digits and hyphens only"), field="slug")
    slug, n = base, 1
    while Article.objects.filter(slug=slug).exists():
        if wanted:
            raise DomainError(_("another article has this slug"), field="slug")
        n += 1
        slug = f"{base}-{n}"
    return slug


def _keep_version(article: Article, actor: User, note: str, now: dt.datetime) -> None:
    ArticleVersion.objects.create(
        article=article,
        version=article.version,
        title=article.title,
        body=article.body,
        visibility=article.visibility,
        changed_by=actor,
        changed_at=now,
        note=note[:200],
    )


@transaction.atomic
def create_article(*, actor: User, draft: ArticleDraft, now: dt.datetime | None = None) -> Article:
    """A new article (version 1), written by staff."""
    require(can_write_articles(actor), _("only the vendor's staff write articles"), field="actor")
    now = clock.resolve(now)
    _check_text(draft.title, draft.body, draft.visibility)
    article = Article.objects.create(
        slug=_free_slug(draft.slug, draft.title),
        title=draft.title.strip(),
        body=draft.body,
        visibility=draft.visibility,
        category=_category(draft.category_id),
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    _keep_version(article, actor, "created", now)
    return article


@transaction.atomic
def update_article(
    *, actor: User, article_id: int, changes: ArticleChanges, now: dt.datetime | None = None
) -> Article:
    """Edit an article: its version goes up by one and the new text is kept beside the
    old ones. An edit that changes nothing stores nothing."""
    require(can_write_articles(actor), _("only the vendor's staff edit articles"), field="actor")
    now = clock.resolve(now)
    pk = selectors.access_article(actor, article_id).pk
    article = Article.objects.select_for_update().select_related(None).get(pk=pk)
    title = article.title if changes.title is None else changes.title.strip()
    body = article.body if changes.body is None else changes.body
    visibility = article.visibility if changes.visibility is None else changes.visibility
    _check_text(title, body, visibility)
    category = article.category
    if changes.clear_category:
        category = None
    elif changes.category_id is not None:
        category = _category(changes.category_id)
    if (title, body, visibility, category) == (
        article.title,
        article.body,
        article.visibility,
        article.category,
    ):
        return article
    article.title, article.body, article.visibility, article.category = (
        title,
        body,
        visibility,
        category,
    )
    article.version += 1
    article.updated_at = now
    article.save()
    _keep_version(article, actor, changes.note, now)
    return article


@transaction.atomic
def mark_reviewed(*, actor: User, article_id: int, now: dt.datetime | None = None) -> Article:
    """Someone confirmed the article is still right: its "last reviewed" date moves."""
    require(can_write_articles(actor), _("only the vendor's staff review articles"), field="actor")
    article = selectors.access_article(actor, article_id)
    article.reviewed_at = clock.resolve(now)
    article.reviewed_by = actor
    article.save(update_fields=["reviewed_at", "reviewed_by"])
    return article


@transaction.atomic
def delete_article(*, actor: User, article_id: int) -> None:
    require(can_write_articles(actor), _("only the vendor's staff remove articles"), field="actor")
    selectors.access_article(actor, article_id).delete()


@transaction.atomic
def record_deflection(
    *, actor: User, article_id: int, query: str = "", now: dt.datetime | None = None
) -> Deflection:
    """The article suggested while ``actor`` reported a problem solved it: no case is
    opened, and the deflection counts for the article (reports)."""
    require(
        can_record_deflection(actor),
        _("deflections are recorded by the customer reporting"),
        field="actor",
    )
    article = selectors.access_article(actor, article_id)
    return Deflection.objects.create(
        article=article,
        organization_id=actor.organization_id,
        user=actor,
        query=query.strip()[:200],
        created_at=clock.resolve(now),
    )


# Categories: staff keep them; the help centre groups public articles by them.


def _category_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise DomainError(_("give the category a name"), field="name")
    if len(name) > 80:
        raise DomainError(_("at most 80 characters"), field="name")
    return name


def _check_unique(name: str, slug: str, *, other_than: int | None = None) -> None:
    others = (
        Category.objects.all() if other_than is None else Category.objects.exclude(pk=other_than)
    )
    if others.filter(name__iexact=name).exists():
        raise DomainError(
            _("there is already a category named '%(name)s'") % {"name": name}, field="name"
        )
    if others.filter(slug=slug).exists():
        raise DomainError(
            _("another category has the address '%(slug)s'") % {"slug": slug}, field="name"
        )


@transaction.atomic
def create_category(*, actor: User, name: str, position: int = 0) -> Category:
    """A new category; its address (``slug``) is made from the name and kept when
    the category is renamed, so help-centre links keep working."""
    require(can_write_articles(actor), _("only the vendor's staff keep categories"), field="actor")
    name = _category_name(name)
    slug = slugify(name)[:80]
    if not slug:
        raise DomainError(_("use at least one letter or digit"), field="name")
    _check_unique(name, slug)
    return Category.objects.create(name=name, slug=slug, position=position)


@transaction.atomic
def rename_category(
    *, actor: User, category_id: int, name: str, position: int | None = None
) -> Category:
    require(can_write_articles(actor), _("only the vendor's staff keep categories"), field="actor")
    category = selectors.access_category(category_id)
    category.name = _category_name(name)
    _check_unique(category.name, category.slug, other_than=category.pk)
    if position is not None:
        category.position = position
    category.save(update_fields=["name", "position"])
    return category


@transaction.atomic
def delete_category(*, actor: User, category_id: int) -> None:
    """Remove an empty category. One holding articles is refused (HTTP 409): moving
    its articles elsewhere, or out of any category, is a choice someone makes on each
    article, not a side effect of tidying the list."""
    require(can_write_articles(actor), _("only the vendor's staff keep categories"), field="actor")
    category = selectors.access_category(category_id)
    held = Article.objects.filter(category=category).count()
    if held:
        raise CategoryInUse(
            _(
                "“%(name)s” still holds %(held)s article(s): move them to another category (or to none) first"
            )
            % {"name": category.name, "held": held},
            field="category_id",
        )
    category.delete()
