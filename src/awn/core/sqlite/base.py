"""Django's SQLite backend, with every writer queued on an exclusive `flock` of a file beside the database.

SQLite lets one connection write at a time. A connection that finds the write lock taken waits in SQLite's
busy handler, which sleeps and retries in steps of 1, 2, 5, 10 … 25, 50, 100 ms until the busy timeout: it
does not learn when the lock is released. With several processes or threads writing (web processes, the
job worker, mail workers) the lock sits free while writers sleep, and who gets it is luck: a writer that
keeps losing waits seconds while others pass at once (docs/performance.md, item 9). Here a writer first
takes its process's gate (a threading.Lock per database file) and then an exclusive `flock` on
`<database>-writer` through its connection's own file descriptor: threads of one process queue on the gate,
processes on the file lock, and the kernel wakes the one waiter of each process as soon as the holder lets
go:

- a transaction (`atomic`, which starts with `BEGIN IMMEDIATE`) takes it just before BEGIN and lets it go
  right after COMMIT or ROLLBACK (or when the connection closes); savepoints inside it take nothing more;
- a statement that may write outside a transaction (autocommit) holds it for that statement;
- reads outside a transaction never take it, so readers never wait for writers (WAL).

SQLite copies the WAL back into the database file (a checkpoint) inside the COMMIT that takes the WAL past
1,000 pages: that writer then copies the pages and syncs both files while every other writer waits for it.
With the queue, Awn's connections turn that off (`wal_autocheckpoint=0`) and run a PASSIVE checkpoint after
the lock is let go, every CHECKPOINT_COMMITS commits of the process, one thread at a time: a PASSIVE
checkpoint takes no writer lock, so the next writer commits while it runs.

SQLite's own busy timeout stays as the fallback for writers that do not take the lock (the sqlite3 shell,
another program); the job queue's own database (Huey) is another file with its own locks. A holder that dies,
even by SIGKILL, loses the lock with its file descriptor, as it loses SQLite's. Waiting has no time limit,
as a writer waiting for a row lock on PostgreSQL has none: the holder is a transaction of this application.
In-memory databases (the tests' default) are one process's and take no lock.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from typing import Any

from django.db.backends.sqlite3 import base as sqlite3_base

# django-stubs leaves out the backend's private transaction hooks that this module extends.
SQLiteDatabaseWrapper: Any = sqlite3_base.DatabaseWrapper
log = logging.getLogger("awn.db")

LOCK_SUFFIX = "-writer"
# Statements that never write: outside a transaction they run without the lock.
READ_ONLY_PREFIXES = ("SELECT", "EXPLAIN")
# A process checkpoints the WAL after this many of its commits (a new ticket writes ~30-50 pages, so about as
# often as SQLite's default of 1,000 pages would).
CHECKPOINT_COMMITS = 24


class Checkpoints:
    """When this process last checkpointed a database file, and who is checkpointing it now."""

    def __init__(self) -> None:
        self.commits = 0
        self.running = threading.Lock()

    def due(self) -> bool:
        self.commits += 1  # a lost increment between threads only delays the next checkpoint
        return self.commits >= CHECKPOINT_COMMITS


class ProcessShare:
    """What the connections of this process to one database file share: the gate its threads take before
    queueing on the file lock (one waiter per process), and its checkpoints."""

    def __init__(self) -> None:
        self.gate = threading.Lock()
        self.checkpoints = Checkpoints()


_shares: dict[tuple[int, str], ProcessShare] = {}
_shares_lock = threading.Lock()


def process_share(path: str) -> ProcessShare:
    key = (os.getpid(), path)
    with _shares_lock:
        share = _shares.get(key)
        if share is None:
            share = _shares[key] = ProcessShare()
        return share


class WriterQueue:
    """The exclusive lock one connection holds while it writes; one file descriptor per connection."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.held = False
        self._open()

    def _open(self) -> None:
        """This process's descriptor of the lock file, and what the process's connections share."""
        self.pid = os.getpid()
        try:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except PermissionError:  # a database readable but not writable here: flock needs no write access
            self.fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
        share = process_share(self.path)
        self.gate, self.checkpoints = share.gate, share.checkpoints

    def acquire(self) -> None:
        if self.held:
            return
        if self.pid != os.getpid():
            # Inherited through fork: the descriptor shares its lock with the parent's; take one of our own.
            self._open()
        # Threads of this process queue on the gate, so at most one per process waits on the file lock: its
        # release wakes one thread per process, not every waiting thread of every process.
        self.gate.acquire()
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX)  # blocks without the GIL; woken by the kernel on release
        except BaseException:
            self.gate.release()
            raise
        self.held = True

    def release(self) -> None:
        if self.held:
            self.held = False
            try:
                fcntl.flock(self.fd, fcntl.LOCK_UN)
            finally:
                self.gate.release()

    def close(self) -> None:
        if self.held:
            self.held = False
            self.gate.release()
        if self.pid == os.getpid():
            os.close(self.fd)  # lets go of the file lock


class DatabaseWrapper(SQLiteDatabaseWrapper):
    writer_queue: WriterQueue | None = None

    def get_connection_params(self) -> dict[str, Any]:
        params = super().get_connection_params()
        self.queue_writers = params.pop("queue_writers", True)
        return params

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        connection = super().get_new_connection(conn_params)
        if self.queue_writers and not self.is_in_memory_db():
            path = writer_lock_path(conn_params["database"])
            try:
                self.writer_queue = WriterQueue(path)
            except OSError as exc:
                # SQLite can still write (its busy timeout decides); only the queue is lost.
                log.warning(
                    "cannot open the writer lock %s (%s): writers wait in SQLite's busy handler", path, exc
                )
            else:
                connection.execute("PRAGMA wal_autocheckpoint=0")  # checkpoint() runs them, outside the lock
        return connection

    def create_cursor(self, name: str | None = None) -> Any:
        if self.writer_queue is None:
            return super().create_cursor(name)
        cursor = self.connection.cursor(factory=QueuedWriterCursor)
        cursor.writer_queue = self.writer_queue
        return cursor

    def _start_transaction_under_autocommit(self) -> None:
        if self.writer_queue is None or self.transaction_mode not in ("IMMEDIATE", "EXCLUSIVE"):
            # A DEFERRED transaction takes SQLite's write lock at its first write, after its snapshot: a
            # queue before BEGIN would hold readers back for nothing.
            super()._start_transaction_under_autocommit()
            return
        self.writer_queue.acquire()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writer_lock()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()
        finally:
            self._release_writer_lock()
        if self.writer_queue is not None and self.writer_queue.checkpoints.due():
            self.checkpoint()

    def checkpoint(self) -> None:
        """Copy the WAL's committed pages into the database file, without the writer lock (PASSIVE: it waits
        for no reader or writer, and copies what no reader still needs); one thread of the process at a
        time, the others go on. A failure is logged: the next checkpoint copies the pages."""
        queue = self.writer_queue
        if queue is None or queue.held or not queue.checkpoints.running.acquire(blocking=False):
            return
        try:
            queue.checkpoints.commits = 0
            self.connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except Exception as exc:  # noqa: BLE001 - the commit it follows has succeeded; nothing is lost
            log.warning("checkpointing %s failed: %s", self.settings_dict["NAME"], exc)
        finally:
            queue.checkpoints.running.release()

    def _rollback(self) -> None:
        try:
            super()._rollback()
        finally:
            self._release_writer_lock()

    def _close(self) -> None:
        try:
            super()._close()
        finally:
            if self.writer_queue is not None:
                self.writer_queue.close()
                self.writer_queue = None

    def _release_writer_lock(self) -> None:
        # A COMMIT that failed leaves the transaction open: the lock goes with its ROLLBACK.
        if self.writer_queue is not None and not (self.connection and self.connection.in_transaction):
            self.writer_queue.release()


class QueuedWriterCursor(sqlite3_base.SQLiteCursorWrapper):
    """Holds the connection's writer lock around a statement that may write outside a transaction."""

    writer_queue: WriterQueue

    def execute(self, query: str, params: Any = None) -> Any:
        return self._queued(super().execute, query, params)

    def executemany(self, query: str, param_list: Any) -> Any:
        return self._queued(super().executemany, query, param_list)

    def _queued(self, run: Any, query: str, params: Any) -> Any:
        if not self._takes_writer_lock(query):
            return run(query, params)
        self.writer_queue.acquire()
        try:
            return run(query, params)
        finally:
            self._release_after_autocommit()

    def _takes_writer_lock(self, query: str) -> bool:
        if self.writer_queue.held or self.connection.in_transaction:
            return False  # inside a transaction: it holds the lock already (IMMEDIATE), or reads (DEFERRED)
        return not query.lstrip()[:7].upper().startswith(READ_ONLY_PREFIXES)

    def _release_after_autocommit(self) -> None:
        # With autocommit off (transaction.set_autocommit(False)) sqlite3 opened a transaction before the
        # statement: the lock then stays until its COMMIT or ROLLBACK.
        if not self.connection.in_transaction:
            self.writer_queue.release()


def writer_lock_path(database: str) -> str:
    """The lock file beside the database file (`file:` URIs keep their path, without the query string)."""
    database = os.fspath(database)
    if database.startswith("file:"):
        database = database[len("file:") :].split("?", 1)[0]
    return f"{database}{LOCK_SUFFIX}"
