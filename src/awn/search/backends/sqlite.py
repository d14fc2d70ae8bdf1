"""SQLite backend: an FTS5 table whose rowid is the SearchDocument id; relevance is FTS5's bm25."""

# ruff: noqa: S608 -- SQL assembled from constant table names and the ORM-compiled visibility scope;
# every value is a query parameter.

from __future__ import annotations

import functools
import json
import math
from collections.abc import Sequence

from django.db import connection, transaction

from awn.core.text import search_text
from awn.search.backends.base import Document, Hit, Progress, Scope, SearchBackend, Terms
from awn.search.backends.common import DOCUMENT_TABLE, DOCUMENTS, IN_ORDER, MESSAGE_TABLE, TICKET_TABLE

# Kept identical to the migration that first creates them; rebuild() recreates the table from these.
FTS_TABLE = "search_fts"
CREATE_FTS = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(subject, body, tokenize = 'unicode61 remove_diacritics 2')"
)
CREATE_DELETE_TRIGGER = (
    f"CREATE TRIGGER search_document_deleted AFTER DELETE ON {DOCUMENT_TABLE} "
    f"BEGIN DELETE FROM {FTS_TABLE} WHERE rowid = old.id; END"
)
DROP_DELETE_TRIGGER = "DROP TRIGGER IF EXISTS search_document_deleted"
DROP_FTS = f"DROP TABLE IF EXISTS {FTS_TABLE}"
# A word in the subject weighs more than the same word in a message body.
SUBJECT_WEIGHT = 3.0
SCORE = f"-bm25({FTS_TABLE}, {SUBJECT_WEIGHT}, 1.0)"
# A scoped search looks at no more than this many of a word's newest matches (see find()).
MAX_WALK = 20_000


def score_words(terms: Terms, subject: list[str], body: list[str]) -> float | None:
    """Relevance of one document's words to `terms`, or None when the document does not match.

    Matching follows the FTS5 query exactly (every group present, the last one as a prefix). The score is
    simpler than bm25, which needs corpus statistics: occurrences, the subject's counted SUBJECT_WEIGHT times,
    divided by the square root of the document's length, so a short subject that matches beats a long message
    that mentions the word in passing.
    """
    last = len(terms.words) - 1
    total = 0.0
    for position, forms in enumerate(terms.words):
        if terms.prefix and position == last:
            found_subject = sum(1 for word in subject if word.startswith(forms))
            found_body = sum(1 for word in body if word.startswith(forms))
        else:
            found_subject = sum(1 for word in subject if word in forms)
            found_body = sum(1 for word in body if word in forms)
        if not found_subject and not found_body:
            return None
        total += SUBJECT_WEIGHT * found_subject + found_body
    return total / math.sqrt(1 + len(subject) + len(body))


def match_expression(terms: Terms) -> str:
    """FTS5 query syntax with every word quoted, so no user input is read as an operator (NEAR, AND, *, ^)."""
    groups = []
    for position, forms in enumerate(terms.words, start=1):
        star = "*" if terms.prefix and position == len(terms.words) else ""
        quoted = ['"' + form.replace('"', '""') + '"' + star for form in forms]
        groups.append(quoted[0] if len(quoted) == 1 else "(" + " OR ".join(quoted) + ")")
    # Explicit AND: SQLite's FTS5 (3.40) refuses an implicit AND in front of a parenthesized group.
    return " AND ".join(groups)


@functools.lru_cache(maxsize=4096)
def _subject_text(subject: str | None) -> str:
    # A ticket's subject is repeated in every one of its documents: normalize it once per rebuild batch.
    return search_text(subject or "")


def _body_text(body: str | None) -> str:
    return search_text(body or "")


def insert_document_rows(cursor) -> None:
    """Write the bookkeeping row of every document, numbered in the order the text was written."""
    cursor.execute(
        f"INSERT INTO {DOCUMENT_TABLE} (ticket_id, message_id, internal) "
        f"SELECT ticket_id, message_id, internal FROM ({DOCUMENTS}) documents WHERE true {IN_ORDER} "
        # A message the services indexed while the rebuild started keeps the row they wrote.
        "ON CONFLICT DO NOTHING"
    )


def id_range() -> tuple[int, int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MIN(id), MAX(id) FROM {DOCUMENT_TABLE}")
        first, last = cursor.fetchone()
    return (first or 1, last or 0)


class SQLiteBackend(SearchBackend):
    vendor = "sqlite"
    small_scope_tickets = 1000

    def add_documents(self, documents: Sequence[Document]) -> None:
        with connection.cursor() as cursor:
            for document in documents:
                cursor.execute(
                    f"INSERT INTO {DOCUMENT_TABLE} (ticket_id, message_id, internal) VALUES (%s, %s, %s) "
                    "RETURNING id",
                    [document.ticket_id, document.message_id, document.internal],
                )
                (document_id,) = cursor.fetchone()
                cursor.execute(
                    f"INSERT INTO {FTS_TABLE} (rowid, subject, body) VALUES (%s, %s, %s)",
                    [document_id, search_text(document.subject), search_text(document.body)],
                )

    def find(
        self, *, terms: Terms, scope: Scope | None, include_internal: bool, window: int, enough: int = 1
    ) -> list[Hit]:
        if scope is not None and scope.small:
            return self._find_among_few(terms=terms, scope=scope, include_internal=include_internal)
        # Walk the matches newest first and stop after `window` of them that the user may see.
        internal = "" if include_internal else " AND d.internal = 0"
        match = match_expression(terms)
        params: list = [match]
        visible = ""
        if scope is not None:
            # Visibility is checked per match; when the user sees a small share of a very common word's
            # matches, only the newest MAX_WALK matches are looked at: that bounds the time the query takes.
            visible = (
                f" AND {FTS_TABLE}.rowid >= coalesce((SELECT rowid FROM {FTS_TABLE} "
                f"WHERE {FTS_TABLE} MATCH %s ORDER BY rowid DESC LIMIT 1 OFFSET %s), 0)"
                f" AND EXISTS (SELECT 1 FROM ({scope.sql}) v WHERE v.id = d.ticket_id)"
            )
            params.extend([match, MAX_WALK, *scope.params])
        sql = (
            f"SELECT d.ticket_id, {SCORE}, d.id FROM {FTS_TABLE} "
            f"CROSS JOIN {DOCUMENT_TABLE} d ON d.id = {FTS_TABLE}.rowid "
            f"WHERE {FTS_TABLE} MATCH %s{internal}{visible} ORDER BY {FTS_TABLE}.rowid DESC LIMIT %s"
        )
        params.append(window)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [Hit(ticket_id, score, document_id) for ticket_id, score, document_id in cursor.fetchall()]

    def _find_among_few(self, *, terms: Terms, scope: Scope, include_internal: bool) -> list[Hit]:
        # FTS5 answers a MATCH restricted to one rowid quickly, but bm25 and prefix expansion start over for
        # every row. For a few tickets' documents it is cheaper to read their stored (already normalized)
        # words and match them here, with the same rules: every group must match, the last one as a prefix.
        internal = "" if include_internal else " AND d.internal = 0"
        if not scope.ticket_ids:
            return []
        sql = (
            f"SELECT d.ticket_id, d.id, f.subject, f.body FROM {DOCUMENT_TABLE} d "
            f"CROSS JOIN {FTS_TABLE} f ON f.rowid = d.id "
            f"WHERE d.ticket_id IN (SELECT value FROM json_each(%s)){internal}"
        )
        hits = []
        with connection.cursor() as cursor:
            cursor.execute(sql, [json.dumps(scope.ticket_ids)])
            for ticket_id, document_id, subject, body in cursor.fetchall():
                score = score_words(terms, subject.split(), body.split())
                if score is not None:
                    hits.append(Hit(ticket_id, score, document_id))
        return hits

    def rebuild(self, *, batch_size: int, progress: Progress | None = None) -> int:
        # Dropping the FTS table is instant; deleting its rows one by one (through the trigger) is not.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(DROP_DELETE_TRIGGER)
            cursor.execute(DROP_FTS)
            cursor.execute(f"DELETE FROM {DOCUMENT_TABLE}")
            cursor.execute(CREATE_FTS)
            cursor.execute(CREATE_DELETE_TRIGGER)
            insert_document_rows(cursor)
        first, last = id_range()
        total = last - first + 1 if last else 0
        connection.ensure_connection()
        raw = connection.connection
        raw.create_function("awn_search_subject", 1, _subject_text, deterministic=True)
        raw.create_function("awn_search_body", 1, _body_text, deterministic=True)
        done = 0
        for low in range(first, last + 1, batch_size):
            high = min(low + batch_size - 1, last)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {FTS_TABLE} (rowid, subject, body) "
                    f"SELECT d.id, awn_search_subject(t.subject), awn_search_body(m.body) "
                    f"FROM {DOCUMENT_TABLE} d JOIN {TICKET_TABLE} t ON t.id = d.ticket_id "
                    f"LEFT JOIN {MESSAGE_TABLE} m ON m.id = d.message_id "
                    f"WHERE d.id BETWEEN %s AND %s ORDER BY d.id",
                    [low, high],
                )
            done += high - low + 1
            if progress:
                progress(done, total)
        _subject_text.cache_clear()
        with connection.cursor() as cursor:
            # Merge the index segments written batch by batch into one b-tree: fewer seeks per query.
            cursor.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('optimize')")
        return total
