"""How the generator's rows reach the database: executemany on SQLite, COPY on PostgreSQL.

Both loaders drop the secondary indexes of the big tables before the load and recreate them from their saved
definitions after it (building an index once over sorted data is far cheaper than updating it row by row),
and skip per-row foreign-key checks: the generator writes consistent rows and the tests check them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from django.db import connection

from awn.tickets.models import Message, Ticket, TicketEvent

EPOCH_UTC = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_NAIVE = datetime(1970, 1, 1)

BULK_TABLES = (Ticket, Message, TicketEvent, Ticket.tags.through)


class Loader:
    """Bulk-writes rows of the big tables. Subclasses know the backend's fastest path."""

    vendor = ""

    def __init__(self) -> None:
        self.saved_indexes: list[tuple[str, str]] = []

    def timestamp(self, us: int) -> str:
        raise NotImplementedError

    def begin(self) -> None:
        raise NotImplementedError

    def write(self, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
        raise NotImplementedError

    def finish(self, *, analyze: bool) -> None:
        raise NotImplementedError


class SqliteLoader(Loader):
    vendor = "sqlite"

    def timestamp(self, us: int) -> str:
        # Django stores datetimes on SQLite as str() of the naive UTC value; keep the same text form.
        return str(EPOCH_NAIVE + timedelta(microseconds=us))

    def begin(self) -> None:
        with connection.cursor() as cursor:
            # The generator writes consistent rows (checked by the tests), so foreign keys are not re-checked
            # row by row; and a crash mid-load leaves a half-written benchmark database, not a user's data.
            cursor.execute("PRAGMA foreign_keys=OFF")
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-262144")
            self.saved_indexes = []
            for model in BULK_TABLES:
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                    "AND tbl_name = %s",
                    [model._meta.db_table],
                )
                self.saved_indexes += cursor.fetchall()
            for name, _sql in self.saved_indexes:
                cursor.execute(f'DROP INDEX "{name}"')

    def write(self, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
        placeholders = ",".join("?" * len(columns))
        names = ",".join(f'"{c}"' for c in columns)
        raw = connection.connection
        raw.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({placeholders})', rows)  # noqa: S608

    def finish(self, *, analyze: bool) -> None:
        with connection.cursor() as cursor:
            for _name, sql in self.saved_indexes:
                cursor.execute(sql)
            self.saved_indexes = []
            if analyze:
                cursor.execute(
                    "ANALYZE"
                )  # again at the very end (analyze_database), this one helps the search rebuild
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


class PostgresLoader(Loader):
    vendor = "postgresql"

    def timestamp(self, us: int) -> str:
        return str(EPOCH_UTC + timedelta(microseconds=us))

    def begin(self) -> None:
        with connection.cursor() as cursor:
            # Foreign keys are enforced by (deferred) triggers; `replica` skips them for this session's COPY.
            # Needs a superuser, which the database owner of a benchmark database usually is.
            cursor.execute("SET session_replication_role = replica")
            cursor.execute("SET maintenance_work_mem = '512MB'")
            tables = [model._meta.db_table for model in BULK_TABLES]
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i "
                "WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s) AND NOT EXISTS ("
                "  SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.indexname))::regclass)",
                [tables],
            )
            self.saved_indexes = list(cursor.fetchall())
            for name, _sql in self.saved_indexes:
                cursor.execute(f'DROP INDEX "{name}"')

    def write(self, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
        names = ",".join(f'"{c}"' for c in columns)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy,
        ):
            write_row = copy.write_row
            for row in rows:
                write_row(row)

    def finish(self, *, analyze: bool) -> None:
        with connection.cursor() as cursor:
            for _name, sql in self.saved_indexes:
                cursor.execute(sql)
            self.saved_indexes = []
            for model in BULK_TABLES:
                table = model._meta.db_table
                cursor.execute(
                    f'SELECT setval(pg_get_serial_sequence(%s, %s), COALESCE(MAX(id), 1)) FROM "{table}"',  # noqa: S608
                    [f'"{table}"', "id"],
                )
            cursor.execute("SET session_replication_role = DEFAULT")
            if analyze:
                for model in BULK_TABLES:
                    cursor.execute(f'VACUUM ANALYZE "{model._meta.db_table}"')


def loader_for_connection() -> Loader:
    if connection.vendor == "sqlite":
        return SqliteLoader()
    if connection.vendor == "postgresql":
        return PostgresLoader()
    raise RuntimeError(f"The generator supports SQLite and PostgreSQL, not {connection.vendor}")


class MemoryLoader(Loader):
    """Keeps rows in memory: lets tests compare two runs of the generator without a database."""

    vendor = "memory"

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, list[tuple]] = {}

    def timestamp(self, us: int) -> str:
        return str(EPOCH_NAIVE + timedelta(microseconds=us))

    def begin(self) -> None:
        return None

    def write(self, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
        self.rows.setdefault(table, []).extend(rows)

    def finish(self, *, analyze: bool) -> None:
        return None


def columns_with_defaults(model, provided: Sequence[str]) -> tuple[list[str], tuple]:
    """Our columns plus any others the model has gained since, filled with their defaults.

    Keeps the generator working when a later migration adds a column with a default to a big table.
    """
    extra_names: list[str] = []
    extra_values: list = []
    for fld in model._meta.concrete_fields:
        if fld.column in provided:
            continue
        default = fld.get_default()
        extra_names.append(fld.column)
        extra_values.append(fld.get_db_prep_save(default, connection))
    return [*provided, *extra_names], tuple(extra_values)


def analyze_database() -> None:
    """Fresh planner statistics for every table: the small ones the ORM filled, the search index's too."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
