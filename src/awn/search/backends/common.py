"""SQL both backends share for rebuilding the index's bookkeeping rows."""

# ruff: noqa: S608 -- SQL assembled from constant table names and the ORM-compiled visibility scope;
# every value is a query parameter.

from __future__ import annotations

from django.db import connection

from awn.search.models import SearchDocument
from awn.tickets.models import Message, Ticket

DOCUMENT_TABLE = SearchDocument._meta.db_table
TICKET_TABLE = Ticket._meta.db_table
MESSAGE_TABLE = Message._meta.db_table


def insert_document_rows(cursor) -> None:
    """One row per message, and one per ticket without messages, numbered in the order the text was written.

    Document ids stand for recency when a query has more matches than it ranks, so they follow `created_at`
    rather than the order rows happen to have in the tables (bulk imports, restores).
    """
    cursor.execute(
        f"INSERT INTO {DOCUMENT_TABLE} (ticket_id, message_id, internal) "
        "SELECT ticket_id, message_id, internal FROM ("
        "  SELECT m.ticket_id AS ticket_id, m.id AS message_id, m.internal AS internal,"
        "  m.created_at AS written"
        f"  FROM {MESSAGE_TABLE} m"
        "  UNION ALL"
        f"  SELECT t.id, NULL, false, t.created_at FROM {TICKET_TABLE} t"
        f"  WHERE NOT EXISTS (SELECT 1 FROM {MESSAGE_TABLE} m WHERE m.ticket_id = t.id)"
        ") documents WHERE true ORDER BY written, message_id "
        "ON CONFLICT DO NOTHING"
    )


def id_range() -> tuple[int, int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MIN(id), MAX(id) FROM {DOCUMENT_TABLE}")
        first, last = cursor.fetchone()
    return (first or 1, last or 0)
