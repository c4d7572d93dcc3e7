"""API input and output for the knowledge base."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field

from supportdesk.api_types import BodyIn, StrictBool, StrictId, column_length
from supportdesk.knowledge.models import Article, Category, Visibility
from supportdesk.knowledge.render import article_html

TITLE_LENGTH = column_length(Article, "title")


class ArticleIn(BodyIn):
    title: str = Field(min_length=1, max_length=TITLE_LENGTH)
    #: Markdown (CommonMark with tables; raw HTML is shown as text).
    body: str = Field(min_length=1)
    visibility: Visibility = Visibility.INTERNAL
    category_id: StrictId | None = None
    #: Lower-case letters, digits and hyphens; derived from the title when left out.
    slug: str = Field("", max_length=column_length(Article, "slug"))


class ArticlePatch(BodyIn):
    title: str | None = Field(None, min_length=1, max_length=TITLE_LENGTH)
    body: str | None = Field(None, min_length=1)
    visibility: Visibility | None = None
    category_id: StrictId | None = None
    clear_category: StrictBool = False
    #: Why it changed (kept with the version).
    note: str = Field("", max_length=200)


class DeflectionIn(BodyIn):
    #: What the customer had typed when the article was suggested.
    query: str = Field("", max_length=200)


class ArticleFilter(Schema):
    visibility: Visibility | None = None
    category: str | None = Field(None, max_length=column_length(Category, "slug"))


class SearchFilter(Schema):
    #: A few words; none (or only common ones) finds nothing.
    q: str = Field("", max_length=200)
    limit: int = Field(10, ge=1, le=50)


class CategoryOut(Schema):
    id: int
    name: str
    #: The category's address on the help centre (``/help/?category=slug``): made from
    #: the name when created, kept when it is renamed.
    slug: str


class CategoryIn(BodyIn):
    name: str = Field(min_length=1, max_length=column_length(Category, "name"))
    #: Lower first on the help centre (then by name).
    position: int = Field(0, ge=0, le=1000)


class CategoryPatch(BodyIn):
    name: str = Field(min_length=1, max_length=column_length(Category, "name"))
    position: int | None = Field(None, ge=0, le=1000)


class CategoryListOut(CategoryOut):
    position: int
    #: Its articles, public and internal (staff) or public only.
    article_count: int


class ArticleOut(Schema):
    id: int
    slug: str
    title: str
    body: str
    #: The body as sanitised HTML.
    html: str
    visibility: Visibility
    category: CategoryOut | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    reviewed_at: dt.datetime | None
    #: The help-centre page of a public article (null for an internal one).
    public_path: str | None


class ArticleVersionOut(Schema):
    version: int
    title: str
    body: str
    visibility: Visibility
    changed_by_id: int
    changed_at: dt.datetime
    note: str


class DeflectionOut(Schema):
    id: int
    article_id: int
    query: str
    created_at: dt.datetime


def article_out(article: Article, help_path: str) -> ArticleOut:
    return ArticleOut(
        id=article.pk,
        slug=article.slug,
        title=article.title,
        body=article.body,
        html=article_html(article.body),
        visibility=Visibility(article.visibility),
        category=CategoryOut.from_orm(article.category) if article.category else None,
        version=article.version,
        created_at=article.created_at,
        updated_at=article.updated_at,
        reviewed_at=article.reviewed_at,
        public_path=(
            f"{help_path}{article.slug}/" if article.visibility == Visibility.PUBLIC else None
        ),
    )
