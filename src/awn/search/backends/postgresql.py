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
from awn.search.backends.common import DOCUMENT_TABLE, DOCUMENTS, IN_ORDER, MESSAGE_TABLE, TICKET_TABLE

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
    small_scope_tickets = 2000

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

        nested = connection.in_atomic_block
        with transaction.atomic(), connection.cursor() as cursor:
            # Settings local to this transaction steer the plans of the next statements only; this one is
            # planned before they change, so max(id) is still read from the end of the primary key.
            cursor.execute(
                "SELECT current_setting('enable_bitmapscan'), current_setting('enable_indexscan'), "
                f"current_setting('enable_seqscan'), (SELECT coalesce(max(id), 0) FROM {DOCUMENT_TABLE}), "
                "set_config('enable_bitmapscan', 'off', true), set_config('enable_seqscan', 'off', true)"
            )
            *before, last = cursor.fetchone()[:4]
            boundary = last - NEWEST_DOCUMENTS
            cursor.execute(newest("d.id > %s"), [query, *scope_params, boundary, window, query])
            rows = cursor.fetchall()
            if len(rows) < min(enough, window) and boundary > 0:
                cursor.execute(
                    "SELECT set_config('enable_bitmapscan', %s, true), "
                    "set_config('enable_indexscan', 'off', true)",
                    [before[0]],
                )
                cursor.execute(
                    newest("d.id <= %s"), [query, *scope_params, boundary, window - len(rows), query]
                )
                rows += cursor.fetchall()
            if nested:  # the caller's transaction goes on: put its settings back
                cursor.execute(
                    "SELECT set_config('enable_bitmapscan', %s, true), "
                    "set_config('enable_indexscan', %s, true), set_config('enable_seqscan', %s, true)",
                    before,
                )
        return [Hit(ticket_id, score, document_id) for ticket_id, score, document_id in rows]

    @staticmethod
    def _hits(sql: str, params: list[Any]) -> list[Hit]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [Hit(ticket_id, score, document_id) for ticket_id, score, document_id in cursor.fetchall()]

    def rebuild(self, *, batch_size: int, progress: Progress | None = None) -> int:
        # Rows are written once, with their tsvector, in created_at order: no UPDATE (which would leave a dead
        # copy of every row behind), and the GIN index is built once at the end, several times faster than
        # growing it row by row.
        with transaction.atomic(), connection.cursor() as cursor:
            # Inside a caller's transaction, deferred foreign-key checks of rows written earlier are pending,
            # and PostgreSQL neither truncates nor indexes a table with pending trigger events: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {DOCUMENT_TABLE} RESTART IDENTITY")
            cursor.execute(f"DROP INDEX IF EXISTS {GIN_INDEX}")
            cursor.execute("DROP TABLE IF EXISTS search_rebuild_order")
            cursor.execute(
                "CREATE TEMP TABLE search_rebuild_order AS "
                f"SELECT row_number() OVER ({IN_ORDER}) AS id, ticket_id, message_id, internal "
                f"FROM ({DOCUMENTS}) documents"
            )
            cursor.execute("CREATE INDEX ON search_rebuild_order (id)")
            cursor.execute("SELECT count(*) FROM search_rebuild_order")
            (total,) = cursor.fetchone()
            # Documents the services write meanwhile are numbered after the ones being loaded.
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{DOCUMENT_TABLE}', 'id'), %s + 1, false)", [total]
            )
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS search_rebuild "
                "(id bigint, ticket_id bigint, message_id bigint, internal boolean, subject text, body text)"
            )
        done = 0
        subjects: dict[str, str] = {}
        for low in range(1, total + 1, batch_size):
            high = min(low + batch_size - 1, total)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "SELECT o.id, o.ticket_id, o.message_id, o.internal, t.subject, m.body "
                    f"FROM search_rebuild_order o JOIN {TICKET_TABLE} t ON t.id = o.ticket_id "
                    f"LEFT JOIN {MESSAGE_TABLE} m ON m.id = o.message_id WHERE o.id BETWEEN %s AND %s",
                    [low, high],
                )
                rows = cursor.fetchall()
                if len(subjects) > 10_000:
                    subjects.clear()
                cursor.execute("TRUNCATE search_rebuild")
                with cursor.copy(
                    "COPY search_rebuild (id, ticket_id, message_id, internal, subject, body) FROM STDIN"
                ) as copy:
                    for document_id, ticket_id, message_id, internal, subject, body in rows:
                        if subject not in subjects:
                            subjects[subject] = search_text(subject)
                        copy.write_row(
                            (
                                document_id,
                                ticket_id,
                                message_id,
                                internal,
                                subjects[subject],
                                search_text(body or ""),
                            )
                        )
                cursor.execute(
                    f"INSERT INTO {DOCUMENT_TABLE} (id, ticket_id, message_id, internal, tsv) "
                    "SELECT id, ticket_id, message_id, internal, "
                    "setweight(to_tsvector('simple', subject), 'A') || to_tsvector('simple', body) "
                    # A message the services indexed since the rebuild started keeps the row they wrote.
                    "FROM search_rebuild ORDER BY id ON CONFLICT DO NOTHING"
                )
            done += high - low + 1
            if progress:
                progress(done, total)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS search_rebuild_order")
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as above, for the rows just loaded
            cursor.execute(CREATE_GIN_INDEX)
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        with connection.cursor() as cursor:
            # VACUUM cannot run inside a transaction (tests, or a caller's atomic block): ANALYZE still can.
            # VACUUM also marks the pages all-visible, which PostgreSQL's index scans make use of.
            cursor.execute(
                f"{'ANALYZE' if connection.in_atomic_block else 'VACUUM ANALYZE'} {DOCUMENT_TABLE}"
            )
        return total
