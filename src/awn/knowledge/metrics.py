"""Recording the knowledge base's facts (daily counters) and reading them back per article and language.

Counters are upserted per (day, article, language) so the metrics page sums a few rows per article instead of
replaying events (STYLE.md §10). Deflections are read from `SuggestionSession`, which is their fact row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Sum

from awn.core import clock
from awn.core.text import normalize_text
from awn.knowledge.models import Article, ArticleStat, SearchStat, SuggestionSession

ABANDON_AFTER = timedelta(minutes=30)  # an opened suggestion with no request this long after: deflected


def _today() -> date:
    return clock.now().date()


def _bump(model, key: dict, **amounts: int) -> None:
    """Add `amounts` to the counters of the row `key`, creating it at zero first if needed."""
    increments = {name: F(name) + amount for name, amount in amounts.items()}
    if model.objects.filter(**key).update(**increments):
        return
    try:
        with transaction.atomic():
            model.objects.create(**key, **amounts)
    except IntegrityError:  # created by a concurrent request in between
        model.objects.filter(**key).update(**increments)


def record_view(*, article_id: int, language: str) -> None:
    _bump(ArticleStat, {"day": _today(), "article_id": article_id, "language": language}, views=1)
    Article.objects.filter(pk=article_id).update(view_count=F("view_count") + 1)


def record_vote(*, article_id: int, language: str, helpful: bool) -> None:
    counter = "helpful" if helpful else "not_helpful"
    _bump(ArticleStat, {"day": _today(), "article_id": article_id, "language": language}, **{counter: 1})


def record_suggested(*, article_ids: Iterable[int], language: str) -> None:
    for article_id in article_ids:
        _bump(ArticleStat, {"day": _today(), "article_id": article_id, "language": language}, suggested=1)


def record_suggestion_open(*, article_id: int, language: str) -> None:
    _bump(ArticleStat, {"day": _today(), "article_id": article_id, "language": language}, suggestion_opens=1)


def record_sent(*, article_id: int, language: str) -> None:
    _bump(ArticleStat, {"day": _today(), "article_id": article_id, "language": language}, sent=1)


def normalized_query(query: str) -> str:
    return " ".join(normalize_text(query or "").split())[:200]


def record_search(*, query: str, language: str, results: int) -> None:
    text = normalized_query(query)
    if not text:
        return
    _bump(
        SearchStat,
        {"day": _today(), "language": language, "query": text},
        searches=1,
        no_results=0 if results else 1,
    )


# --- reading ------------------------------------------------------------------------------------------


def deflected(now=None) -> Q:
    """Sessions that count as a deflection: an article read from a suggestion and no request after it."""
    now = now or clock.now()
    read = Q(read_article__isnull=False, submitted_at__isnull=True)
    return read & (Q(confirmed_at__isnull=False) | Q(read_at__lt=now - ABANDON_AFTER))


@dataclass
class ArticleFigures:
    article_id: int
    language: str
    views: int = 0
    helpful: int = 0
    not_helpful: int = 0
    suggested: int = 0
    suggestion_opens: int = 0
    sent: int = 0
    deflections: int = 0

    @property
    def votes(self) -> int:
        return self.helpful + self.not_helpful

    @property
    def helpful_ratio(self) -> float | None:
        """Share of "yes" among the votes, None without votes."""
        return self.helpful / self.votes if self.votes else None


@dataclass
class Summary:
    rows: list[ArticleFigures] = field(default_factory=list)
    totals: ArticleFigures = field(default_factory=lambda: ArticleFigures(0, ""))
    searches: int = 0
    no_result_searches: int = 0
    gaps: list[dict] = field(default_factory=list)  # the most frequent searches that found nothing


def summarize(*, days: int = 30, language: str = "", limit: int = 200) -> Summary:
    """Per article and language over the last `days`: views, votes, suggestions, deflections, sends."""
    since = _today() - timedelta(days=max(days, 1) - 1)
    stats = ArticleStat.objects.filter(day__gte=since)
    sessions = SuggestionSession.objects.filter(read_at__date__gte=since).filter(deflected())
    searches = SearchStat.objects.filter(day__gte=since)
    if language:
        stats, sessions, searches = (
            stats.filter(language=language),
            sessions.filter(language=language),
            searches.filter(language=language),
        )
    counters = ("views", "helpful", "not_helpful", "suggested", "suggestion_opens", "sent")
    figures: dict[tuple[int, str], ArticleFigures] = {}
    for row in stats.values("article_id", "language").annotate(**{name: Sum(name) for name in counters}):
        figures[(row["article_id"], row["language"])] = ArticleFigures(
            row["article_id"], row["language"], **{name: row[name] or 0 for name in counters}
        )
    for row in sessions.values("read_article_id", "language").annotate(n=Count("id")):
        key = (row["read_article_id"], row["language"])
        figures.setdefault(key, ArticleFigures(*key)).deflections = row["n"]
    summary = Summary()
    summary.rows = sorted(figures.values(), key=lambda f: (f.views + f.deflections, f.sent), reverse=True)[
        :limit
    ]
    for figure in figures.values():
        for name in (*counters, "deflections"):
            setattr(summary.totals, name, getattr(summary.totals, name) + getattr(figure, name))
    totals = searches.aggregate(searches=Sum("searches"), no_results=Sum("no_results"))
    summary.searches, summary.no_result_searches = totals["searches"] or 0, totals["no_results"] or 0
    summary.gaps = list(
        searches.filter(no_results__gt=0)
        .values("query", "language")
        .annotate(count=Sum("no_results"))
        .order_by("-count", "query")[:25]
    )
    return summary
