"""/api/articles: a thin router over the knowledge base. Staff see and write every
article; customers and partners read public ones only (an internal article is a 404
for them, as a missing one)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Status

from supportdesk.api_auth import api_user
from supportdesk.api_paging import Limit, Page, paginate
from supportdesk.api_types import Id, replies
from supportdesk.knowledge import selectors, services
from supportdesk.knowledge.models import Article, Category
from supportdesk.knowledge.schemas import (
    ArticleFilter,
    ArticleIn,
    ArticleOut,
    ArticlePatch,
    ArticleVersionOut,
    CategoryIn,
    CategoryListOut,
    CategoryOut,
    CategoryPatch,
    DeflectionIn,
    DeflectionOut,
    SearchFilter,
    article_out,
)

router = Router(tags=["knowledge base"])
LIST_ORDER = ("-updated_at", "-id")


def _out(article: Article) -> ArticleOut:
    return article_out(article, selectors.HELP_ARTICLE_PATH)


@router.get("", response=replies({200: Page[ArticleOut]}), summary="Articles you may read")
def list_articles(
    request: HttpRequest,
    filters: Query[ArticleFilter],
    cursor: str | None = None,
    limit: Limit = 50,
) -> Page[ArticleOut]:
    qs = selectors.articles_visible_to(api_user(request))
    if filters.visibility:
        qs = qs.filter(visibility=filters.visibility)
    if filters.category:
        qs = qs.filter(category__slug=filters.category)
    return paginate(qs, cursor=cursor, limit=limit, order=LIST_ORDER, to_schema=_out)


@router.post("", response=replies({201: ArticleOut}), summary="Write an article (staff)")
def create_article(request: HttpRequest, payload: ArticleIn) -> Status[ArticleOut]:
    article = services.create_article(
        actor=api_user(request),
        draft=services.ArticleDraft(
            title=payload.title,
            body=payload.body,
            visibility=payload.visibility,
            category_id=payload.category_id,
            slug=payload.slug,
        ),
    )
    return Status(201, _out(article))


@router.get(
    "/search",
    response=replies({200: list[ArticleOut]}),
    summary="The articles you may read that match a few words, best first",
)
def search_articles(request: HttpRequest, filters: Query[SearchFilter]) -> list[ArticleOut]:
    found = selectors.search_articles(api_user(request), filters.q, limit=filters.limit)
    return [_out(a) for a in found]


@router.get(
    "/categories",
    response=replies({200: Page[CategoryListOut]}),
    summary="Categories, in help-centre order, with how many articles you may read in each",
)
def list_categories(
    request: HttpRequest, cursor: str | None = None, limit: Limit = 50
) -> Page[CategoryListOut]:
    qs = selectors.categories_with_counts(api_user(request))
    return paginate(qs, cursor=cursor, limit=limit, order=("position", "name", "id"))


@router.post("/categories", response=replies({201: CategoryOut}), summary="Add a category (staff)")
def create_category(request: HttpRequest, payload: CategoryIn) -> Status[Category]:
    category = services.create_category(
        actor=api_user(request), name=payload.name, position=payload.position
    )
    return Status(201, category)


@router.patch(
    "/categories/{category_id}",
    response=replies({200: CategoryOut}, 404),
    summary="Rename a category (staff); its address stays",
)
def rename_category(request: HttpRequest, category_id: Id, payload: CategoryPatch) -> Category:
    return services.rename_category(
        actor=api_user(request),
        category_id=category_id,
        name=payload.name,
        position=payload.position,
    )


@router.delete(
    "/categories/{category_id}",
    response=replies({204: None}, 404, 409),
    summary="Delete an empty category (staff); one holding articles is a 409",
)
def delete_category(request: HttpRequest, category_id: Id) -> Status[None]:
    services.delete_category(actor=api_user(request), category_id=category_id)
    return Status(204, None)


@router.get("/{article_id}", response=replies({200: ArticleOut}, 404))
def get_article(request: HttpRequest, article_id: Id) -> ArticleOut:
    return _out(selectors.access_article(api_user(request), article_id))


@router.patch(
    "/{article_id}",
    response=replies({200: ArticleOut}, 404),
    summary="Edit an article (staff): a new version",
)
def update_article(request: HttpRequest, article_id: Id, payload: ArticlePatch) -> ArticleOut:
    article = services.update_article(
        actor=api_user(request),
        article_id=article_id,
        changes=services.ArticleChanges(**payload.model_dump()),
    )
    return _out(article)


@router.delete("/{article_id}", response=replies({204: None}, 404), summary="Remove (staff)")
def delete_article(request: HttpRequest, article_id: Id) -> Status[None]:
    services.delete_article(actor=api_user(request), article_id=article_id)
    return Status(204, None)


@router.post(
    "/{article_id}/reviewed",
    response=replies({200: ArticleOut}, 404),
    summary="Mark the article reviewed today (staff)",
)
def mark_reviewed(request: HttpRequest, article_id: Id) -> ArticleOut:
    return _out(services.mark_reviewed(actor=api_user(request), article_id=article_id))


@router.get(
    "/{article_id}/versions",
    response=replies({200: Page[ArticleVersionOut]}, 404),
    summary="Who changed what, when: newest first",
)
def list_versions(
    request: HttpRequest, article_id: Id, cursor: str | None = None, limit: Limit = 50
) -> Page[ArticleVersionOut]:
    article = selectors.access_article(api_user(request), article_id)
    qs = selectors.article_versions(article)
    return paginate(qs, cursor=cursor, limit=limit, order=("-version",))


@router.post(
    "/{article_id}/deflections",
    response=replies({201: DeflectionOut}, 404),
    summary="This article solved my problem: no case needed (customers)",
)
def record_deflection(
    request: HttpRequest, article_id: Id, payload: DeflectionIn
) -> Status[DeflectionOut]:
    deflection = services.record_deflection(
        actor=api_user(request), article_id=article_id, query=payload.query
    )
    return Status(201, DeflectionOut.from_orm(deflection))
