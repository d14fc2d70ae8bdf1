"""Full-text search over published article translations, on the pattern of awn.search (DESIGN.md §7).

Text goes through the same normalization as tickets (`awn.core.text.search_text` for the index,
`awn.search.query.parse_query` for what was typed), so Arabic and Persian spelling variants, diacritics,
half-spaces and the Arabic article are folded the same way on both sides. Two backends: an FTS5 table on
SQLite, a `tsvector` column with a GIN index on PostgreSQL.

Unlike ticket search, which wants every word, article search matches *any* content word and ranks by
relevance (BM25-like: rare words weigh more, a word in the title more than in the body, short articles more
than long ones mentioning it in passing). A customer describing a problem in a sentence ("I cannot reset my
password on the phone") must still meet the article titled "Reset your password". Common words of the three
languages ("how", "my", "من", "چطور") are dropped first so they do not drown the rest.
"""

# ruff: noqa: S608 -- SQL assembled from constant table names; every value is a query parameter.

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection, transaction

from awn.core.text import MAX_WORD_LENGTH, normalize_text, search_text, search_words, strip_article
from awn.knowledge.models import ArticleDocument, ArticleTranslation, State, Visibility
from awn.search.backends import Terms
from awn.search.query import parse_query

DOCUMENT_TABLE = ArticleDocument._meta.db_table
FTS_TABLE = "knowledge_fts"
TOTAL_TTL = 300  # seconds a language's document count is reused for (see _document_total)
TITLE_WEIGHT = 4.0  # a word in the title weighs this many times the same word in the body

# Words that say nothing about which article is meant; compared after normalization.
_STOP = """
a an the and or but to of in on at for with by from as is are was were be been being it its this that these
those i im ive me my mine we our you your he she they them their there here can cannot cant could would
should will do does did doesnt dont didnt not no yes how what why when where which who whom whose please
help hi hello thanks thank have has had get got am if so then than into about up out just any some all also
want need trying try tried still again t s m ll ve d
في من على الى عن مع هذا هذه ذلك تلك التي الذي الذين ان كان كانت كيف ماذا ما لماذا متى اين لا لم لن هل انا
نحن انت هو هي هم و او ثم قد كل عند بعد قبل لي لك لديه لدي يمكن يمكنني اريد استطيع الرجاء مرحبا شكرا ارجو
از به با در برای که این آن را و یا تا است هست بود شد می من ما شما او آنها چطور چگونه چه چرا کجا آیا نمی
نمیتوانم میخواهم خواهش لطفا سلام ممنون یک هم اما اگر هر روی کنم کنید کرد کردم شود دارم ندارم چی کنم
"""
STOP_WORDS = frozenset(normalize_text(word) for word in _STOP.split())


@dataclass(frozen=True)
class ArticleHit:
    article_id: int
    translation_id: int
    language: str
    score: float  # higher is more relevant


def parse_article_query(text: str) -> Terms | None:
    """The content words of `text` as search terms (any may match); None when nothing is left to look up."""
    words = [word for word in search_words((text or "")[:2000]) if len(word) <= MAX_WORD_LENGTH]
    content = [word for word in words if word not in STOP_WORDS and strip_article(word) not in STOP_WORDS]
    if not content:
        content = words  # "how to" alone: better to look the common words up than nothing at all
    if not content:
        return None
    return parse_query(" ".join(content)).terms


# --- SQLite: FTS5 -------------------------------------------------------------------------------------


def _fts_any(terms: Terms) -> str:
    """FTS5 query matching any group, every word quoted so no input is read as an operator."""
    groups = []
    for position, forms in enumerate(terms.words, start=1):
        star = "*" if terms.prefix and position == len(terms.words) else ""
        groups.extend('"' + form.replace('"', '""') + '"' + star for form in forms)
    return " OR ".join(groups)


def _sqlite_add(cursor, rows: Sequence[tuple[int, int, str, bool, str, str]]) -> None:
    for translation_id, article_id, language, internal, title, body in rows:
        cursor.execute(
            f"INSERT INTO {DOCUMENT_TABLE} (translation_id, article_id, language, internal) "
            "VALUES (%s, %s, %s, %s) RETURNING id",
            [translation_id, article_id, language, internal],
        )
        (document_id,) = cursor.fetchone()
        cursor.execute(
            f"INSERT INTO {FTS_TABLE} (rowid, title, body) VALUES (%s, %s, %s)",
            [document_id, search_text(title), search_text(body)],
        )


def _sqlite_find(
    terms: Terms, languages: Sequence[str], include_internal: bool, limit: int
) -> list[ArticleHit]:
    internal = "" if include_internal else " AND d.internal = 0"
    marks = ", ".join(["%s"] * len(languages))
    sql = (
        "SELECT d.article_id, d.translation_id, d.language, "
        f"-bm25({FTS_TABLE}, {TITLE_WEIGHT}, 1.0) AS score "
        f"FROM {FTS_TABLE} CROSS JOIN {DOCUMENT_TABLE} d ON d.id = {FTS_TABLE}.rowid "
        f"WHERE {FTS_TABLE} MATCH %s AND d.language IN ({marks}){internal} "
        "ORDER BY score DESC, d.id LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [_fts_any(terms), *languages, limit])
        return [ArticleHit(*row) for row in cursor.fetchall()]


# --- PostgreSQL: tsvector + GIN ------------------------------------------------------------------------

TSVECTOR = "setweight(to_tsvector('simple', %s), 'A') || to_tsvector('simple', %s)"
# D (body) … A (title): the title weighs TITLE_WEIGHT times the body, as on SQLite.
RANK_WEIGHTS = "'{0.25, 0.25, 0.25, 1.0}'"


def _tsquery_group(forms: tuple[str, ...], prefix: bool) -> str:
    star = ":*" if prefix else ""
    quoted = ["'" + form.replace("\\", "\\\\").replace("'", "''") + "'" + star for form in forms]
    return quoted[0] if len(quoted) == 1 else "(" + " | ".join(quoted) + ")"


def _postgresql_add(cursor, rows: Sequence[tuple[int, int, str, bool, str, str]]) -> None:
    cursor.executemany(
        f"INSERT INTO {DOCUMENT_TABLE} (translation_id, article_id, language, internal, tsv) "
        f"VALUES (%s, %s, %s, %s, {TSVECTOR})",
        [
            (t, a, lang, internal, search_text(title), search_text(body))
            for t, a, lang, internal, title, body in rows
        ],
    )


def _postgresql_find(
    terms: Terms, languages: Sequence[str], include_internal: bool, limit: int
) -> list[ArticleHit]:
    # ts_rank knows nothing of how rare a word is; BM25's inverse document frequency is computed here from
    # how many of the matching documents hold each word and how many documents there are.
    last = len(terms.words) - 1
    groups = [_tsquery_group(forms, terms.prefix and i == last) for i, forms in enumerate(terms.words)]
    internal = "" if include_internal else " AND NOT d.internal"
    counts = ", ".join(
        f"count(*) FILTER (WHERE m.tsv @@ to_tsquery('simple', %s)) AS df{i}" for i in range(len(groups))
    )
    score = " + ".join(
        f"ln(1 + (%s - df{i} + 0.5) / (df{i} + 0.5)) "
        f"* ts_rank({RANK_WEIGHTS}, tsv, to_tsquery('simple', %s), 1)"
        for i in range(len(groups))
    )
    # The document frequencies in one aggregate over the matches (a window over them would sort and spill
    # every matching tsvector to disk), the total from the cache (_document_total).
    sql = (
        "WITH m AS MATERIALIZED ("
        f"SELECT d.id, d.article_id, d.translation_id, d.language, d.tsv FROM {DOCUMENT_TABLE} d "
        f"WHERE d.tsv @@ to_tsquery('simple', %s) AND d.language = ANY(%s){internal}), "
        f"c AS (SELECT {counts} FROM m) "
        f"SELECT article_id, translation_id, language, {score} AS score FROM m, c "
        "ORDER BY score DESC, id LIMIT %s"
    )
    total = float(_document_total(languages))
    score_params = [param for group in groups for param in (total, group)]
    params = [" | ".join(groups), list(languages), *groups, *score_params, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [ArticleHit(a, t, lang, float(s)) for a, t, lang, s in cursor.fetchall()]


def _document_total(languages: Sequence[str]) -> int:
    """How many documents there are in `languages`: BM25's N, counted again every few minutes."""
    key = "knowledge:document-total:" + ",".join(sorted(languages))
    total = cache.get(key)
    if total is None:
        total = ArticleDocument.objects.filter(language__in=list(languages)).count()
        cache.set(key, total, TOTAL_TTL)
    return total


# --- the interface -------------------------------------------------------------------------------------


def _rows(translations: Iterable[ArticleTranslation]) -> list[tuple[int, int, str, bool, str, str]]:
    return [
        (t.pk, t.article_id, t.language, t.article.visibility == Visibility.INTERNAL, t.title, t.text)
        for t in translations
    ]


def _add(rows: Sequence[tuple[int, int, str, bool, str, str]]) -> None:
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _postgresql_add(cursor, rows)
        else:
            _sqlite_add(cursor, rows)


def index_translation(translation: ArticleTranslation) -> None:
    """Put `translation` in the index as it now is (published), or take it out (draft, archived)."""
    ArticleDocument.objects.filter(translation_id=translation.pk).delete()
    if translation.state == State.PUBLISHED:
        _add(_rows([translation]))


def reindex_article(article_id: int) -> None:
    """Re-index every translation of an article (its visibility changed)."""
    ArticleDocument.objects.filter(article_id=article_id).delete()
    published = ArticleTranslation.objects.filter(article_id=article_id, state=State.PUBLISHED)
    _add(_rows(published.select_related("article")))


def rebuild_article_index(*, batch_size: int = 1000) -> int:
    """Recreate the index from every published translation; returns the number of documents."""
    ArticleDocument.objects.all().delete()
    total = 0
    published = (
        ArticleTranslation.objects.filter(state=State.PUBLISHED).select_related("article").order_by("pk")
    )
    last = 0
    while True:
        batch = list(published.filter(pk__gt=last)[:batch_size])
        if not batch:
            break
        with transaction.atomic():
            _add(_rows(batch))
        total += len(batch)
        last = batch[-1].pk
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('optimize')")
        else:
            # Statistics for the planner: without them it guesses a few hundred documents per language.
            cursor.execute(f"ANALYZE {DOCUMENT_TABLE}")
    return total


def find_articles(
    *, query: str, languages: Sequence[str], include_internal: bool, limit: int = 10
) -> list[ArticleHit]:
    """Published translations in `languages` matching `query`, most relevant first."""
    terms = parse_article_query(query)
    if terms is None or not languages or limit <= 0:
        return []
    languages = list(dict.fromkeys(languages))
    if connection.vendor == "postgresql":
        return _postgresql_find(terms, languages, include_internal, limit)
    return _sqlite_find(terms, languages, include_internal, limit)
