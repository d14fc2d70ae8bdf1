"""PostgreSQL backend: a `tsvector` column on the document table with a GIN index; relevance is ts_rank.

The text is normalized in Python (`awn.core.text.search_text`) and then parsed with the 'simple'
configuration: no stemming and no stop words, since subjects and messages mix English, Arabic and Persian.
"""

# ruff: noqa: S608 -- SQL assembled from constant table names and the ORM-compiled visibility scope;
# every value is a query parameter.

from __future__ import annotations

from collections.abc import Sequence

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

    def find(self, *, terms: Terms, scope: Scope | None, include_internal: bool, window: int) -> list[Hit]:
        query = tsquery_expression(terms)
        internal = "" if include_internal else " AND NOT d.internal"
        if scope is not None and scope.small:
            # Few tickets: read their documents and test each against the query.
            hits = (
                f"WITH v AS MATERIALIZED ({scope.sql}), hits AS MATERIALIZED ("
                f"SELECT d.id FROM v JOIN {DOCUMENT_TABLE} d ON d.ticket_id = v.id "
                f"WHERE d.tsv @@ {TSQUERY}{internal} ORDER BY d.id DESC LIMIT %s)"
            )
            params = [*scope.params, query, window]
        else:
            visible = ""
            params = [query]
            if scope is not None:
                visible = f" AND d.ticket_id IN ({scope.sql})"
                params.extend(scope.params)
            hits = (
                f"WITH hits AS MATERIALIZED (SELECT d.id FROM {DOCUMENT_TABLE} d "
                f"WHERE d.tsv @@ {TSQUERY}{internal}{visible} ORDER BY d.id DESC LIMIT %s)"
            )
            params.append(window)
        # Rank only the window: ts_rank reads each document's tsvector, which is what costs at a million rows.
        sql = f"{hits} SELECT d.ticket_id, {SCORE}, d.id FROM hits JOIN {DOCUMENT_TABLE} d ON d.id = hits.id"
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, query])
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
