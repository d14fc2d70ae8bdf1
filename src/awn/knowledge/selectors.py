"""Reads of the knowledge base, within who may read what: everyone reads published public articles; staff also
read internal ones. A reader sees each article in their language, or in the default language when it has no
published translation in theirs (the fallback).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, Max, OuterRef, QuerySet
from django.http import Http404

from awn.knowledge.models import (
    Article,
    ArticleShare,
    ArticleTranslation,
    Category,
    Section,
    State,
    Visibility,
)
from awn.knowledge.search import find_articles
from awn.tickets.models import Ticket

POPULAR = 8
COUNTS_TTL = 3600  # seconds; the key changes with the content anyway (content_version)


def may_read_internal(user) -> bool:
    return bool(user and user.is_authenticated and user.is_staff_member)


def readable_articles(user) -> QuerySet[Article]:
    articles = Article.objects.all()
    if not may_read_internal(user):
        articles = articles.filter(visibility=Visibility.PUBLIC)
    return articles


def reading_languages(language: str) -> list[str]:
    """The languages a reader of `language` is shown, preferred first."""
    return list(dict.fromkeys([language, settings.LANGUAGE_CODE]))


def display_translations(article_ids: Sequence[int], language: str) -> dict[int, ArticleTranslation]:
    """For each article, its published translation in `language`, else in the default language."""
    if not article_ids:
        return {}
    languages = reading_languages(language)
    rank = {code: position for position, code in enumerate(languages)}
    chosen: dict[int, ArticleTranslation] = {}
    rows = (
        ArticleTranslation.objects.filter(
            article_id__in=list(article_ids), language__in=languages, state=State.PUBLISHED
        )
        .defer("body", "html")
        .select_related("article")
    )
    for translation in rows:
        current = chosen.get(translation.article_id)
        if current is None or rank[translation.language] < rank[current.language]:
            chosen[translation.article_id] = translation
    return chosen


def _in_order(
    article_ids: Iterable[int], translations: dict[int, ArticleTranslation]
) -> list[ArticleTranslation]:
    return [translations[pk] for pk in article_ids if pk in translations]


def _with_published(articles: QuerySet[Article], language: str) -> QuerySet[Article]:
    """Articles that have a published translation the reader of `language` is shown."""
    published = ArticleTranslation.objects.filter(
        article_id=OuterRef("pk"), language__in=reading_languages(language), state=State.PUBLISHED
    )
    return articles.filter(Exists(published))


def popular_articles(*, user, language: str, limit: int = POPULAR) -> list[ArticleTranslation]:
    """The most read articles the reader can read in their language (or the default one)."""
    # Walks the (visibility, -view_count) index and stops after `limit` readable articles.
    ids = list(
        _with_published(readable_articles(user), language)
        .order_by("-view_count", "id")
        .values_list("id", flat=True)[:limit]
    )
    return _in_order(ids, display_translations(ids, language))[:limit]


@dataclass
class SectionListing:
    section: Section
    articles: list[ArticleTranslation]


@dataclass(frozen=True)
class ContentVersion:
    """What the help center's pages were made from: it changes whenever what they show can change.

    Every write service stamps `updated_at` on what it changes (a translation's text or state, an article's
    section or visibility, a category or one of its sections); the article count covers a deletion.
    """

    translations: datetime | None
    articles: datetime | None
    article_count: int
    categories: datetime | None

    @property
    def latest(self) -> datetime | None:
        moments = [m for m in (self.translations, self.articles, self.categories) if m is not None]
        return max(moments) if moments else None

    @property
    def key(self) -> str:
        text = f"{self.translations}|{self.articles}|{self.article_count}|{self.categories}"
        return hashlib.sha256(text.encode()).hexdigest()[:24]


def content_version() -> ContentVersion:
    """Three small aggregates (the translations' newest change is read from its index)."""
    articles = Article.objects.aggregate(latest=Max("updated_at"), count=Count("id"))
    return ContentVersion(
        translations=ArticleTranslation.objects.aggregate(latest=Max("updated_at"))["latest"],
        articles=articles["latest"],
        article_count=articles["count"],
        categories=Category.objects.aggregate(latest=Max("updated_at"))["latest"],
    )


def categories_with_counts(
    *, user, language: str, version: ContentVersion | None = None
) -> list[tuple[Category, int]]:
    """Categories that hold something the reader can read, with how many articles.

    Counting walks every readable article (~100 ms at 10,000 articles), so the counts are kept in the cache
    under the content's version: they are counted again only after a change.
    """
    version = version or content_version()
    internal = may_read_internal(user)
    cache_key = f"knowledge:category-counts:{version.key}:{language}:{int(internal)}"
    counts = cache.get(cache_key)
    if counts is None:
        rows = (
            _with_published(readable_articles(user), language)
            .order_by()
            .values("section__category_id")
            .annotate(count=Count("id"))
        )
        counts = {row["section__category_id"]: row["count"] for row in rows}
        cache.set(cache_key, counts, COUNTS_TTL)
    return [(category, counts[category.pk]) for category in Category.objects.filter(pk__in=counts)]


def category_listing(*, user, slug: str, language: str) -> tuple[Category, list[SectionListing]]:
    """A category and its sections, each with the articles the reader can read; 404 when there is none."""
    category = Category.objects.filter(slug=slug).first()
    if category is None:
        raise Http404
    sections = list(category.sections.all())
    articles = list(
        readable_articles(user)
        .filter(section__in=sections)
        .order_by("position", "id")
        .values_list("id", "section_id")
    )
    translations = display_translations([pk for pk, _section in articles], language)
    listings = []
    for section in sections:
        items = [
            translations[pk] for pk, section_id in articles if section_id == section.pk and pk in translations
        ]
        if items:
            listings.append(SectionListing(section=section, articles=items))
    return category, listings


@dataclass
class ArticlePage:
    translation: ArticleTranslation
    # The reader reads another language, and the article has a published translation in it.
    in_reader_language: ArticleTranslation | None = None
    fallback: bool = False  # not in the reader's language at all: shown in the language the URL names


def article_for_slug(*, user, slug: str, language: str) -> ArticlePage:
    """The published translation a help-center URL names, as the reader may read it; 404 otherwise.

    A URL names one translation (a link sent in Persian opens in Persian, whatever the browser prefers); a
    slug used in two languages resolves to the reader's first.
    """
    # The unique (language, slug) index answers a slug looked up in each language; the slug alone would
    # read every translation on PostgreSQL.
    languages = [code for code, _name in settings.LANGUAGES]
    candidates = list(
        ArticleTranslation.objects.filter(
            language__in=languages, slug=slug, state=State.PUBLISHED
        ).select_related("article", "article__section", "article__section__category")
    )
    if not may_read_internal(user):
        candidates = [t for t in candidates if t.article.visibility == Visibility.PUBLIC]
    if not candidates:
        raise Http404
    found = next((t for t in candidates if t.language == language), candidates[0])
    if found.language == language:
        return ArticlePage(translation=found)
    other = (
        ArticleTranslation.objects.filter(
            article_id=found.article_id, language=language, state=State.PUBLISHED
        )
        .only("slug", "title", "language")
        .first()
    )
    return ArticlePage(translation=found, in_reader_language=other, fallback=other is None)


def search_help_center(*, user, query: str, language: str, limit: int = 20) -> list[ArticleTranslation]:
    """Published articles matching `query` in the reader's languages, each shown once, most relevant first."""
    hits = find_articles(
        query=query,
        languages=reading_languages(language),
        include_internal=may_read_internal(user),
        limit=limit * 3,
    )
    ids = list(dict.fromkeys(hit.article_id for hit in hits))
    return _in_order(ids, display_translations(ids, language))[:limit]


def articles_sent_on(*, ticket: Ticket) -> list[ArticleShare]:
    return list(
        ArticleShare.objects.filter(ticket=ticket).select_related("article").order_by("created_at", "id")
    )
