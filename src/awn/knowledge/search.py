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

import hashlib
import math
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
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
BODY_RANK_WEIGHT = 0.25
TITLE_RANK_WEIGHT = 1.0
RANK_WEIGHTS = f"'{{{BODY_RANK_WEIGHT}, {BODY_RANK_WEIGHT}, {BODY_RANK_WEIGHT}, {TITLE_RANK_WEIGHT}}}'"
# ts_rank's length normalization (1) counts word positions, a word without positions once.
DOCUMENT_LENGTH = "(SELECT coalesce(sum(coalesce(array_length(positions, 1), 1)), 0) FROM unnest(v))"
# How many documents a search ranks with ts_rank, chosen by the bound of _postgresql_find.
CANDIDATES = 200


def _tsquery_group(forms: tuple[str, ...], prefix: bool) -> str:
    star = ":*" if prefix else ""
    quoted = ["'" + form.replace("\\", "\\\\").replace("'", "''") + "'" + star for form in forms]
    return quoted[0] if len(quoted) == 1 else "(" + " | ".join(quoted) + ")"


def _postgresql_add(cursor, rows: Sequence[tuple[int, int, str, bool, str, str]]) -> None:
    # The title's vector and the length beside the full vector (see _postgresql_find).
    cursor.executemany(
        f"INSERT INTO {DOCUMENT_TABLE} (translation_id, article_id, language, internal, tsv, title_tsv, "
        "doc_length) "
        f"SELECT %s, %s, %s, %s, v, setweight(to_tsvector('simple', %s), 'A'), {DOCUMENT_LENGTH} "
        f"FROM (SELECT {TSVECTOR} AS v) vector",
        [
            (t, a, lang, internal, search_text(title), search_text(title), search_text(body))
            for t, a, lang, internal, title, body in rows
        ],
    )


def _postgresql_find(
    terms: Terms, languages: Sequence[str], include_internal: bool, limit: int
) -> list[ArticleHit]:
    # ts_rank knows nothing of how rare a word is; BM25's inverse document frequency is computed here from
    # how many documents in the reader's languages hold each word and how many documents there are.
    #
    # Ranking is the expensive part: ts_rank reads a document's whole vector, which PostgreSQL keeps
    # compressed and, for most articles, out of line (TOAST), and a common word matches most articles. So
    # the matches are first ordered by a bound read from two small columns, and only the CANDIDATES best by
    # it are ranked with ts_rank; the others' vectors are never read. The bound is ts_rank's own arithmetic
    # with the body's positions unknown: title_tsv holds the title's positions (they come first in the
    # document's vector, weight A), so for a word of the query ts_rank(title_tsv) is what the title gives
    # (t), and the positions after them, all in the body at the body's weight, add at most
    # BODY_RANK_WEIGHT x (1 - t); doc_length gives ts_rank's length normalization. No document's rank for a
    # whole word exceeds its bound (a prefix may match several words of one document, and exceed it), so a
    # document left out is one that CANDIDATES others may outrank.
    last = len(terms.words) - 1
    groups = [_tsquery_group(forms, terms.prefix and i == last) for i, forms in enumerate(terms.words)]
    internal = "" if include_internal else " AND NOT d.internal"
    bound = " + ".join(
        f"%s * ({1 - BODY_RANK_WEIGHT / TITLE_RANK_WEIGHT} "
        f"* ts_rank({RANK_WEIGHTS}, d.title_tsv, to_tsquery('simple', %s), 0) + {BODY_RANK_WEIGHT})"
        for _group in groups
    )
    score = " + ".join(
        f"%s * ts_rank({RANK_WEIGHTS}, d.tsv, to_tsquery('simple', %s), 1)" for _group in groups
    )
    sql = (
        f"WITH candidates AS MATERIALIZED (SELECT d.id FROM {DOCUMENT_TABLE} d "
        f"WHERE d.tsv @@ to_tsquery('simple', %s) AND (d.language = ANY(%s){internal}) IS TRUE "
        f"ORDER BY ({bound}) / ln(greatest(d.doc_length, 1) + 1) DESC, d.id LIMIT %s) "
        f"SELECT d.article_id, d.translation_id, d.language, {score} AS score "
        f"FROM candidates JOIN {DOCUMENT_TABLE} d ON d.id = candidates.id "
        "ORDER BY score DESC, d.id LIMIT %s"
    )
    total = _document_total(languages)
    with transaction.atomic(), connection.cursor() as cursor, _from_the_index(cursor):
        idf = [
            math.log(1 + (total - df + 0.5) / (df + 0.5))
            for df in _document_frequencies(cursor, groups, languages, include_internal)
        ]
        weighted = [param for weight, group in zip(idf, groups, strict=True) for param in (weight, group)]
        cursor.execute(
            sql, [" | ".join(groups), list(languages), *weighted, max(CANDIDATES, limit), *weighted, limit]
        )
        rows = cursor.fetchall()
    return [ArticleHit(a, t, lang, float(s)) for a, t, lang, s in rows]


@contextmanager
def _from_the_index(cursor) -> Iterator[None]:
    """Run the block with sequential scans off; the caller holds a transaction (SET LOCAL).

    The matches of a search are meant to come from the GIN index, whose answer needs no recheck, so no vector
    is read for them. Left to itself the planner reads every document of the languages and tests its vector
    (a common word matches most of them, and most vectors are TOASTed): the statements write their
    language test so that no index can answer it, and sequential scans are off. Put back as it was at the
    end: inside a caller's transaction the block is a savepoint, whose release would keep the setting.
    """
    cursor.execute("SELECT current_setting('enable_seqscan'), set_config('enable_seqscan', 'off', true)")
    (before, _off) = cursor.fetchone()
    yield
    cursor.execute("SELECT set_config('enable_seqscan', %s, true)", [before])


def _document_frequencies(
    cursor, groups: Sequence[str], languages: Sequence[str], include_internal: bool
) -> list[int]:
    """How many documents in `languages` match each tsquery group: BM25's document frequencies.

    Counted from the GIN index (without reading any vector) and, like the total, reused for a few minutes: a
    word's share of the articles moves slowly, and counting a common word costs more than ranking.
    """
    prefix = f"knowledge:df:{','.join(sorted(languages))}:{int(include_internal)}:"
    keys = [prefix + hashlib.sha256(group.encode()).hexdigest() for group in groups]
    found = cache.get_many(keys)
    missing = [i for i, key in enumerate(keys) if key not in found]
    if missing:
        internal = "" if include_internal else " AND NOT d.internal"
        counts = ", ".join(
            f"(SELECT count(*) FROM {DOCUMENT_TABLE} d "
            f"WHERE d.tsv @@ to_tsquery('simple', %s) AND (d.language = ANY(%s){internal}) IS TRUE)"
            for _i in missing
        )
        cursor.execute(f"SELECT {counts}", [p for i in missing for p in (groups[i], list(languages))])
        fresh = dict(zip((keys[i] for i in missing), cursor.fetchone(), strict=True))
        cache.set_many(fresh, TOTAL_TTL)
        found.update(fresh)
    return [found[key] for key in keys]


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
