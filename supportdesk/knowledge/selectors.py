"""Reading the knowledge base: who sees which article, search, and the figures of
deflection and of the articles agents link from their replies."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import NotFound
from supportdesk.cases.models import Comment
from supportdesk.domain.knowledge import match_score, search_terms
from supportdesk.knowledge.models import Article, ArticleVersion, Category, Deflection, Visibility

#: Where the help centre shows a public article (``portal.public_urls`` mounts it there):
#: a reply linking an article carries this path, which is how links are counted.
HELP_ARTICLE_PATH = "/help/articles/"
_LINK = re.compile(re.escape(HELP_ARTICLE_PATH) + r"([-a-zA-Z0-9_]+)")
#: How many articles containing a term a search ranks (the best are shown).
CANDIDATES = 200


def articles_visible_to(viewer: User | None) -> QuerySet[Article]:
    """Staff: every article; customers, partners and signed-out visitors (``None``):
    public articles only."""
    qs = Article.objects.select_related("category")
    if viewer is not None and viewer.is_vendor_staff:
        return qs
    return qs.filter(visibility=Visibility.PUBLIC)


def access_article(viewer: User | None, article_id: int) -> Article:
    """The article for ``viewer``; :class:`NotFound` for a missing one and for an internal
    one asked for by anyone but staff (the same answer, so ids leak nothing)."""
    article = articles_visible_to(viewer).filter(pk=article_id).first()
    if article is None:
        raise NotFound(_("no such article"), field="article_id")
    return article


def article_by_slug(viewer: User | None, slug: str) -> Article:
    article = articles_visible_to(viewer).filter(slug=slug).first()
    if article is None:
        raise NotFound(_("no such article"), field="slug")
    return article


def search_articles(viewer: User | None, text: str, *, limit: int = 10) -> list[Article]:
    """The articles ``viewer`` may read that match ``text`` best, best first (ties: the
    most recently updated first); empty when ``text`` has no searchable word."""
    terms = search_terms(text)
    if not terms:
        return []
    any_term = Q()
    for term in terms:
        any_term |= Q(title__icontains=term) | Q(body__icontains=term)
    candidates = list(articles_visible_to(viewer).filter(any_term)[:CANDIDATES])
    scored = [(match_score(terms, a.title, a.body), a) for a in candidates]
    scored = [(s, a) for s, a in scored if s > 0]
    scored.sort(key=lambda pair: (-pair[0], -pair[1].updated_at.timestamp(), -pair[1].pk))
    return [a for _, a in scored[:limit]]


def article_versions(article: Article) -> QuerySet[ArticleVersion]:
    return ArticleVersion.objects.filter(article=article).select_related("changed_by")


def categories() -> QuerySet[Category]:
    return Category.objects.all()


def categories_with_counts(viewer: User | None) -> QuerySet[Category]:
    """Every category with ``article_count``: the articles in it ``viewer`` may read
    (:func:`articles_visible_to`: staff count internal ones too)."""
    if viewer is not None and viewer.is_vendor_staff:
        return Category.objects.annotate(article_count=Count("articles"))
    public = Count("articles", filter=Q(articles__visibility=Visibility.PUBLIC))
    return Category.objects.annotate(article_count=public)


def access_category(category_id: int) -> Category:
    category = Category.objects.filter(pk=category_id).first()
    if category is None:
        raise NotFound(
            _("category %(category_id)s not found") % {"category_id": category_id},
            field="category_id",
        )
    return category


@dataclass(frozen=True)
class HelpSection:
    """One category of the help centre (``category`` None: articles in none), with its
    newest ``articles`` and how many it holds in all."""

    category: Category | None
    articles: list[Article]
    total: int


def help_sections(viewer: User | None, *, per_section: int) -> list[HelpSection]:
    """The articles ``viewer`` may read grouped by category (in category order, the
    uncategorised last), each group its ``per_section`` newest: one count query, then
    one read per non-empty group; the rest of a group pages on its own page."""
    visible = articles_visible_to(viewer)
    grouped = visible.order_by().values("category_id").annotate(n=Count("id"))
    totals: dict[int | None, int] = {row["category_id"]: row["n"] for row in grouped}
    sections: list[HelpSection] = []
    for category in [*Category.objects.filter(pk__in=[k for k in totals if k]), None]:
        key = category.pk if category else None
        if not totals.get(key):
            continue
        found = list(visible.filter(category=category)[:per_section])
        sections.append(HelpSection(category, found, totals[key]))
    return sections


@dataclass(frozen=True)
class ArticleFigure:
    article_id: int
    slug: str
    title: str
    count: int


def deflections_by_article(start: dt.datetime, end: dt.datetime) -> list[ArticleFigure]:
    """Per article, how many reports it deflected in ``[start, end)``, most first."""
    rows = (
        Deflection.objects.filter(created_at__gte=start, created_at__lt=end)
        .values("article_id", "article__slug", "article__title")
        .annotate(n=Count("id"))
        .order_by("-n", "article_id")
    )
    return [
        ArticleFigure(r["article_id"], r["article__slug"], r["article__title"], r["n"])
        for r in rows
    ]


def most_linked_articles(
    start: dt.datetime, end: dt.datetime, *, limit: int = 20
) -> list[ArticleFigure]:
    """The articles most linked from public replies written in ``[start, end)``: each
    reply counts once per article it links."""
    bodies = Comment.objects.filter(
        public=True,
        created_at__gte=start,
        created_at__lt=end,
        body__contains=HELP_ARTICLE_PATH,
    ).values_list("body", flat=True)
    counts: Counter[str] = Counter()
    for body in bodies.iterator():
        counts.update(set(_LINK.findall(body)))
    if not counts:
        return []
    articles = {a.slug: a for a in Article.objects.filter(slug__in=counts).only("slug", "title")}
    figures = [
        ArticleFigure(articles[slug].pk, slug, articles[slug].title, n)
        for slug, n in counts.items()
        if slug in articles
    ]
    figures.sort(key=lambda f: (-f.count, f.slug))
    return figures[:limit]
