"""SQLite backend: an FTS5 table whose rowid is the SearchDocument id.

The table has three columns: the subject and the body (normalized text) and `scope`, the visibility keys of
the document's ticket (awn.search.scope). A scoped search is one FTS5 expression — the words in the subject
or the body, and one of the user's keys in `scope` — walked newest first, so FTS5 intersects the doclists and
stops after the newest `window` documents the user may see, however common the words are elsewhere.
"""

# ruff: noqa: S608 -- SQL assembled from constant table names; every value is a query parameter.

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

from django.db import connection, connections, transaction

from awn.core.text import search_text
from awn.search.backends.base import Document, Hit, Progress, SearchBackend, Terms
from awn.search.backends.common import (
    DOCUMENT_TABLE,
    DOCUMENTS,
    IN_ORDER,
    MESSAGE_TABLE,
    TICKET_TABLE,
    sqlite_keys,
)

# Kept identical to the migration that last creates them; rebuild() recreates the table from these.
FTS_TABLE = "search_fts"
CREATE_FTS = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(subject, body, scope, "
    "tokenize = 'unicode61 remove_diacritics 2')"
)
CREATE_DELETE_TRIGGER = (
    f"CREATE TRIGGER IF NOT EXISTS search_document_deleted AFTER DELETE ON {DOCUMENT_TABLE} "
    f"BEGIN DELETE FROM {FTS_TABLE} WHERE rowid = old.id; END"
)
# A ticket's keys follow its team, assignee, requester and organization, whoever changes them.
CREATE_SCOPE_TRIGGER = (
    f"CREATE TRIGGER IF NOT EXISTS search_ticket_scope "
    f"AFTER UPDATE OF team_id, assignee_id, requester_id, organization_id ON {TICKET_TABLE} "
    "WHEN old.team_id IS NOT new.team_id OR old.assignee_id IS NOT new.assignee_id "
    "OR old.requester_id IS NOT new.requester_id OR old.organization_id IS NOT new.organization_id "
    f"BEGIN UPDATE {FTS_TABLE} SET scope = {sqlite_keys('new')} "
    f"WHERE rowid IN (SELECT id FROM {DOCUMENT_TABLE} WHERE ticket_id = new.id); END"
)
DROP_DELETE_TRIGGER = "DROP TRIGGER IF EXISTS search_document_deleted"
DROP_FTS = f"DROP TABLE IF EXISTS {FTS_TABLE}"
# A word in the subject weighs more than the same word in a message body.
SUBJECT_WEIGHT = 3.0


def score_words(terms: Terms, subject: list[str], body: list[str]) -> float | None:
    """Relevance of one document's words to `terms`, or None when the document does not match.

    Matching follows the FTS5 query exactly (every group present, the last one as a prefix). The score:
    occurrences, the subject's counted SUBJECT_WEIGHT times, divided by the square root of the document's
    length, so a short subject that matches beats a long message that mentions the word in passing. (FTS5's
    bm25 would also weigh rare words up, but it counts every match of every phrase of the expression, the
    visibility keys' included, before returning the first row: tens of milliseconds at a million tickets.)
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


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def match_expression(terms: Terms, keys: Sequence[str] | None = None) -> str:
    """FTS5 query syntax with every word quoted, so no user input is read as an operator (NEAR, AND, *, ^).

    The words are looked up in the subject and the body only (a word that looks like a key, "t5", must not
    match the scope column), the keys in the scope column only.
    """
    groups = []
    for position, forms in enumerate(terms.words, start=1):
        star = "*" if terms.prefix and position == len(terms.words) else ""
        quoted = [_quoted(form) + star for form in forms]
        groups.append(quoted[0] if len(quoted) == 1 else "(" + " OR ".join(quoted) + ")")
    # Explicit AND: SQLite's FTS5 (3.40) refuses an implicit AND in front of a parenthesized group.
    words = "{subject body} : (" + " AND ".join(groups) + ")"
    if keys is None:
        return words
    return words + " AND scope : (" + " OR ".join(_quoted(key) for key in keys) + ")"


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


def ensure_triggers(using: str = "default") -> None:
    """Recreate the triggers if a migration dropped them.

    Django's SQLite schema editor rebuilds a table to alter it (creates a copy, drops the original), and
    dropping a table drops the triggers on it: a later migration of the tickets app would silently take
    the keys' trigger with it. Run after every `migrate` (post_migrate), so the index never goes stale.
    """
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [FTS_TABLE])
        if cursor.fetchone() is None:
            return
        cursor.execute(CREATE_DELETE_TRIGGER)
        cursor.execute(CREATE_SCOPE_TRIGGER)


class SQLiteBackend(SearchBackend):
    vendor = "sqlite"

    def add_documents(self, documents: Sequence[Document], *, new_tickets: bool = False) -> None:
        with connection.cursor() as cursor:
            for document in documents:
                cursor.execute(
                    f"INSERT INTO {DOCUMENT_TABLE} (ticket_id, message_id, internal) VALUES (%s, %s, %s) "
                    "RETURNING id",
                    [document.ticket_id, document.message_id, document.internal],
                )
                (document_id,) = cursor.fetchone()
                # The keys come from the ticket's row as the database holds it now; the trigger takes over.
                cursor.execute(
                    f"INSERT INTO {FTS_TABLE} (rowid, subject, body, scope) "
                    f"SELECT %s, %s, %s, {sqlite_keys('t')} FROM {TICKET_TABLE} t WHERE t.id = %s",
                    [
                        document_id,
                        search_text(document.subject),
                        search_text(document.body),
                        document.ticket_id,
                    ],
                )

    def find(
        self, *, terms: Terms, keys: Sequence[str] | None, include_internal: bool, window: int
    ) -> list[Hit]:
        if keys is not None and not keys:
            return []
        internal = "" if include_internal else " AND d.internal = 0"
        # Newest first: FTS5 walks its doclists backwards and stops after `window` documents.
        sql = (
            f"SELECT d.ticket_id, d.id, f.subject, f.body FROM {FTS_TABLE} f "
            f"CROSS JOIN {DOCUMENT_TABLE} d ON d.id = f.rowid "
            f"WHERE {FTS_TABLE} MATCH %s{internal} ORDER BY f.rowid DESC LIMIT %s"
        )
        hits = []
        with connection.cursor() as cursor:
            cursor.execute(sql, [match_expression(terms, keys), window])
            for ticket_id, document_id, subject, body in cursor.fetchall():
                # FTS5 decided the match; the score only orders (0 if the two ever disagreed on a word).
                score = score_words(terms, subject.split(), body.split())
                hits.append(Hit(ticket_id, score or 0.0, document_id))
        return hits

    def rebuild(self, *, batch_size: int, progress: Progress | None = None) -> int:
        # Dropping the FTS table is instant; deleting its rows one by one (through the trigger) is not.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(DROP_DELETE_TRIGGER)
            cursor.execute("DROP TRIGGER IF EXISTS search_ticket_scope")
            cursor.execute(DROP_FTS)
            cursor.execute(f"DELETE FROM {DOCUMENT_TABLE}")
            cursor.execute(CREATE_FTS)
            cursor.execute(CREATE_DELETE_TRIGGER)
            cursor.execute(CREATE_SCOPE_TRIGGER)
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
                    f"INSERT INTO {FTS_TABLE} (rowid, subject, body, scope) "
                    "SELECT d.id, awn_search_subject(t.subject), awn_search_body(m.body), "
                    f"{sqlite_keys('t')} "
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
