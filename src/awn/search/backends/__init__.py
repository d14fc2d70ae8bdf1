"""Search backends: SQLite FTS5 and PostgreSQL tsvector + GIN, behind one interface (DESIGN.md §7)."""

from __future__ import annotations

from django.db import connection

from awn.search.backends.base import Document, Hit, SearchBackend, Terms


def get_backend() -> SearchBackend:
    """The backend for the default database."""
    if connection.vendor == "postgresql":
        from awn.search.backends.postgresql import PostgreSQLBackend

        return PostgreSQLBackend()
    if connection.vendor == "sqlite":
        from awn.search.backends.sqlite import SQLiteBackend

        return SQLiteBackend()
    raise NotImplementedError(f"no search backend for {connection.vendor}")


__all__ = ["Document", "Hit", "SearchBackend", "Terms", "get_backend"]
