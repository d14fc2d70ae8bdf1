"""Keeping the full-text index in step with tickets and messages (called by the ticket services).

PLACEHOLDER: the search backends (SQLite FTS5, PostgreSQL tsvector + GIN) are being written; until then these
hooks do nothing and search finds nothing.
"""


def index_message(message) -> None:
    return None


def index_ticket_subject(ticket) -> None:
    return None


def reindex_ticket(ticket) -> None:
    return None
