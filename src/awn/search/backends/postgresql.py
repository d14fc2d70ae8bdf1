"""PostgreSQL backend: a `tsvector` column on the document table with a GIN index; relevance is ts_rank.

The text is normalized in Python (`awn.core.text.search_text`) and then parsed with the 'simple'
configuration: no stemming and no stop words, since subjects and messages mix English, Arabic and Persian.
"""

# ruff: noqa: S608 -- SQL assembled from constant table names and the ORM-compiled visibility scope;
# every value is a query parameter.

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction

from awn.core.text import search_text
from awn.search.backends.base import Document, Hit, Progress, Scope, SearchBackend, Terms
from awn.search.backends.common import (
    DOCUMENT_TABLE,
    MESSAGE_TABLE,
    TICKET_TABLE,
    id_range,
    insert_document_rows,
)

# As the migration creates it; rebuild() drops it and recreates it around the bulk load.
GIN_INDEX = "search_document_tsv"
CREATE_GIN_INDEX = f"CREATE INDEX {GIN_INDEX} ON {DOCUMENT_TABLE} USING gin (tsv)"
TSVECTOR = "setweight(to_tsvector('simple', %s), 'A') || to_tsvector('simple', %s)"
TSQUERY = "to_tsquery('simple', %s)"
# Weights for D (message body) … A (subject): a word in the subject weighs more than one in a message body.
SCORE = "ts_rank('{0.4, 0.4, 0.4, 1.0}', d.tsv, " + TSQUERY + ", 1)"
# Search first walks this many of the newest documents (a couple of weeks at a million tickets a year).
NEWEST_DOCUMENTS = 50_000


def tsquery_expression(terms: Terms) -> str:
    """tsquery syntax with every word quoted, so no user input is read as an operator (&, |, !, <->, :*)."""
    groups = []
    for position, forms in enumerate(terms.words, start=1):
        star = ":*" if terms.prefix and position == len(terms.words) else ""
        quoted = ["'" + form.replace("\\", "\\\\").replace("'", "''") + "'" + star for form in forms]
        groups.append(quoted[0] if len(quoted) == 1 else "(" + " | ".join(quoted) + ")")
    return " & ".join(groups)


class PostgreSQLBackend(SearchBackend):
    vendor = "postgresql"
    small_scope_tickets = 5000

    def add_documents(self, documents: Sequence[Document]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {DOCUMENT_TABLE} (ticket_id, message_id, internal, tsv) "
                f"VALUES (%s, %s, %s, {TSVECTOR})",
                [
                    (
                        doc.ticket_id,
                        doc.message_id,
                        doc.internal,
                        search_text(doc.subject),
                        search_text(doc.body),
                    )
                    for doc in documents
                ],
            )

    def find(
        self, *, terms: Terms, scope: Scope | None, include_internal: bool, window: int, enough: int = 1
    ) -> list[Hit]:
        query = tsquery_expression(terms)
        internal = "" if include_internal else " AND NOT d.internal"
        if scope is not None and scope.ticket_ids is not None:
            # Few tickets: read their documents and test each against the query.
            sql = (
                f"SELECT d.ticket_id, {SCORE}, d.id FROM {DOCUMENT_TABLE} d "
                f"WHERE d.ticket_id = ANY(%s) AND d.tsv @@ {TSQUERY}{internal} ORDER BY d.id DESC LIMIT %s"
            )
            return self._hits(sql, [query, list(scope.ticket_ids), query, window])
        # Left to itself PostgreSQL guesses how many documents match and plans from the guess; for words it
        # has no statistics on (most prefixes) a wrong guess walks every row for a word that matches nothing,
        # or fetches every match of a common word only to keep the newest. Two bounded steps instead: walk the
        # NEWEST_DOCUMENTS newest documents backwards; only if that found too few, ask the GIN index for the
        # older matches (which are then few, or the walk would have met enough of them).
        visible, scope_params = "", []
        if scope is not None:
            # A per-match check (OFFSET 0 keeps PostgreSQL from turning it into a join that would first hash
            # every ticket the user may see).
            visible = f" AND EXISTS (SELECT 1 FROM ({scope.sql}) v WHERE v.id = d.ticket_id OFFSET 0)"
            scope_params = list(scope.params)

        def newest(boundary: str) -> str:
            return (
                f"WITH hits AS MATERIALIZED (SELECT d.id FROM {DOCUMENT_TABLE} d "
                f"WHERE d.tsv @@ {TSQUERY}{internal}{visible} AND {boundary} ORDER BY d.id DESC LIMIT %s) "
                # Rank only what was kept: ts_rank reads each document's tsvector.
                f"SELECT d.ticket_id, {SCORE}, d.id FROM hits JOIN {DOCUMENT_TABLE} d ON d.id = hits.id"
            )

        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT coalesce(max(id), 0) - %s FROM {DOCUMENT_TABLE}", [NEWEST_DOCUMENTS])
            (boundary,) = cursor.fetchone()
            rows = self._with_plan(
                cursor,
                ("enable_bitmapscan", "enable_seqscan"),
                newest("d.id > %s"),
                [query, *scope_params, boundary, window, query],
            )
            if len(rows) < min(enough, window) and boundary > 0:
                rows += self._with_plan(
                    cursor,
                    ("enable_indexscan", "enable_seqscan"),
                    newest("d.id <= %s"),
                    [query, *scope_params, boundary, window - len(rows), query],
                )
        return [Hit(ticket_id, score, document_id) for ticket_id, score, document_id in rows]

    @staticmethod
    def _with_plan(cursor, disabled: tuple[str, str], sql: str, params: list[Any]) -> list[tuple]:
        """Run `sql` with two kinds of plan switched off, for this statement only."""
        cursor.execute(
            "SELECT current_setting(%s), current_setting(%s), "
            "set_config(%s, 'off', true), set_config(%s, 'off', true)",
            [*disabled, *disabled],
        )
        before = cursor.fetchone()
        try:
            cursor.execute(sql, params)
            return cursor.fetchall()
        finally:
            # A transaction-local setting lasts until the transaction ends, and a caller's may go on a while.
            cursor.execute(
                "SELECT set_config(%s, %s, true), set_config(%s, %s, true)",
                [disabled[0], before[0], disabled[1], before[1]],
            )

    @staticmethod
    def _hits(sql: str, params: list[Any]) -> list[Hit]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [Hit(ticket_id, score, document_id) for ticket_id, score, document_id in cursor.fetchall()]

    def rebuild(self, *, batch_size: int, progress: Progress | None = None) -> int:
        with transaction.atomic(), connection.cursor() as cursor:
            # Inside a caller's transaction, deferred foreign-key checks of rows written earlier are pending,
            # and PostgreSQL neither truncates nor indexes a table with pending trigger events: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {DOCUMENT_TABLE} RESTART IDENTITY")
            # Loading first and indexing once is several times faster than growing a GIN index row by row.
            cursor.execute(f"DROP INDEX IF EXISTS {GIN_INDEX}")
            insert_document_rows(cursor)
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        first, last = id_range()
        total = last - first + 1 if last else 0
        done = 0
        subjects: dict[str, str] = {}
        for low in range(first, last + 1, batch_size):
            high = min(low + batch_size - 1, last)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT d.id, t.subject, m.body FROM {DOCUMENT_TABLE} d "
                    f"JOIN {TICKET_TABLE} t ON t.id = d.ticket_id "
                    f"LEFT JOIN {MESSAGE_TABLE} m ON m.id = d.message_id "
                    "WHERE d.id BETWEEN %s AND %s",
                    [low, high],
                )
                rows = cursor.fetchall()
                if len(subjects) > 10_000:
                    subjects.clear()
                cursor.execute(
                    "CREATE TEMP TABLE IF NOT EXISTS search_rebuild (id bigint, subject text, body text) "
                    "ON COMMIT DELETE ROWS"
                )
                cursor.execute("TRUNCATE search_rebuild")  # inside a caller's transaction nothing commits
                with cursor.copy("COPY search_rebuild (id, subject, body) FROM STDIN") as copy:
                    for document_id, subject, body in rows:
                        if subject not in subjects:
                            subjects[subject] = search_text(subject)
                        copy.write_row((document_id, subjects[subject], search_text(body or "")))
                cursor.execute(
                    f"UPDATE {DOCUMENT_TABLE} d SET tsv = setweight(to_tsvector('simple', s.subject), 'A') "
                    "|| to_tsvector('simple', s.body) FROM search_rebuild s WHERE d.id = s.id"
                )
            done += high - low + 1
            if progress:
                progress(done, total)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as above, for the rows just loaded
            cursor.execute(CREATE_GIN_INDEX)
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        with connection.cursor() as cursor:
            # VACUUM cannot run inside a transaction (tests, or a caller's atomic block): ANALYZE still can.
            cursor.execute(
                f"{'ANALYZE' if connection.in_atomic_block else 'VACUUM ANALYZE'} {DOCUMENT_TABLE}"
            )
        return total
