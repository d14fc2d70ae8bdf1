"""Table names and the SQL both backends use to list every document when the index is rebuilt."""

# ruff: noqa: S608 -- SQL assembled from constant table names and the ORM-compiled visibility scope;
# every value is a query parameter.

from __future__ import annotations

from awn.search.models import SearchDocument
from awn.tickets.models import Message, Ticket

DOCUMENT_TABLE = SearchDocument._meta.db_table
TICKET_TABLE = Ticket._meta.db_table
MESSAGE_TABLE = Message._meta.db_table


# One row per message, and one per ticket without messages, in the order the text was written. Document ids
# stand for recency when a query has more matches than are ranked, so a rebuild numbers documents by
# `created_at` rather than by the order rows happen to have in the tables (bulk imports, restores).
DOCUMENTS = (
    "SELECT m.ticket_id AS ticket_id, m.id AS message_id, m.internal AS internal, m.created_at AS written"
    f" FROM {MESSAGE_TABLE} m"
    " UNION ALL"
    f" SELECT t.id, NULL, false, t.created_at FROM {TICKET_TABLE} t"
    f" WHERE NOT EXISTS (SELECT 1 FROM {MESSAGE_TABLE} m WHERE m.ticket_id = t.id)"
)
IN_ORDER = "ORDER BY written, message_id"


def sqlite_keys(ticket: str) -> str:
    """SQL giving the visibility keys (awn.search.scope) of the ticket row `ticket`, as FTS5 text."""
    return (
        f"'t' || coalesce({ticket}.team_id, 0) || ' r' || {ticket}.requester_id"
        f" || coalesce(' a' || {ticket}.assignee_id, '') || coalesce(' o' || {ticket}.organization_id, '')"
        f" || ' k' || {ticket}.id"
    )


def postgresql_keys(ticket: str) -> str:
    """SQL giving the visibility keys (awn.search.scope) of the ticket row `ticket`, as a text[]."""
    return (
        f"array_remove(ARRAY['t' || coalesce({ticket}.team_id, 0), 'r' || {ticket}.requester_id, "
        f"'a' || {ticket}.assignee_id, 'o' || {ticket}.organization_id, 'k' || {ticket}.id], NULL)"
    )
