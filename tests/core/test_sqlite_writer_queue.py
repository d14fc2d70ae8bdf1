"""Writers to one SQLite database queue on the lock file beside it (awn.core.sqlite), across processes and
across the threads of one process, instead of polling in SQLite's busy handler.

The cross-process tests run real processes with Awn's settings and SQLite's busy timeout at 0
(tests/core/sqlite_writer.py): without the queue, a writer that meets another fails at once with
"database is locked". They run on whichever database the suite uses: the queue is SQLite's alone."""

from __future__ import annotations

import fcntl
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connections, transaction

from awn.core.sqlite.base import DatabaseWrapper, writer_lock_path

WRITER = Path(__file__).with_name("sqlite_writer.py")
SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.fixture
def home(tmp_path):
    with sqlite3.connect(tmp_path / "awn.sqlite3") as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE rows (id INTEGER PRIMARY KEY, who TEXT NOT NULL)")
        db.execute("CREATE TABLE counter (value INTEGER NOT NULL)")
        db.execute("INSERT INTO counter VALUES (0)")
    return tmp_path


def start(home: Path, name: str, action: str, *args: str) -> subprocess.Popen:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "AWN_")) and key != "DJANGO_SETTINGS_MODULE"
    }
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), env.get("PYTHONPATH", "")])
    return subprocess.Popen(
        [sys.executable, str(WRITER), str(home), name, action, *args],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen) -> str:
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err[-3000:]
    return out


def wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def queued_on_lock(pid: int, lock: Path) -> bool:
    """Whether process `pid` is blocked waiting for the flock of `lock` (Linux lists waiters with `->`)."""
    inode = f":{os.stat(lock).st_ino} "
    return any(
        line.split()[1] == "->" and line.split()[5] == str(pid) and inode in line
        for line in Path("/proc/locks").read_text().splitlines()
    )


def rows(home: Path) -> list[str]:
    with sqlite3.connect(home / "awn.sqlite3") as db:
        return [who for (who,) in db.execute("SELECT who FROM rows ORDER BY id")]


def hold(home: Path, name: str = "first") -> subprocess.Popen:
    holder = start(home, name, "hold")
    wait_for(lambda: (home / f"{name}.holding").exists() or holder.poll() is not None, "the holder")
    assert holder.poll() is None, holder.communicate()[1][-3000:]
    return holder


@pytest.mark.parametrize("action", ["insert", "autocommit"])
def test_a_writer_waits_in_the_queue_for_the_transaction_before_it_instead_of_failing(home, action):
    holder = hold(home)

    waiter = start(home, "second", action)
    wait_for(lambda: queued_on_lock(waiter.pid, home / "awn.sqlite3-writer"), "the second writer to queue")
    (home / "first.go").touch()

    finish(holder)
    finish(waiter)
    assert rows(home) == ["first", "second"]


def test_a_reader_does_not_wait_for_a_writer(home):
    holder = hold(home)

    reader = start(home, "reader", "count")

    assert finish(reader).strip() == "0"  # the holder's row is not committed yet
    (home / "first.go").touch()
    finish(holder)


def test_a_holder_killed_by_sigkill_lets_the_next_writer_through(home):
    holder = hold(home)
    waiter = start(home, "second", "insert")
    wait_for(lambda: queued_on_lock(waiter.pid, home / "awn.sqlite3-writer"), "the second writer to queue")

    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()

    finish(waiter)
    assert rows(home) == ["second"]  # the killed holder's insert was never committed


def test_two_processes_writing_at_once_lose_no_update_and_never_meet_a_locked_database(home):
    writers = [start(home, name, "increment", "150") for name in ("a", "b")]

    for writer in writers:
        finish(writer)  # an OperationalError (database is locked) would end a writer with status 1

    with sqlite3.connect(home / "awn.sqlite3") as db:
        assert db.execute("SELECT value FROM counter").fetchone()[0] == 300
    assert sorted(set(rows(home))) == ["a", "b"]


# In this process: connections of our own on a database file (the suite's default database is in memory).


@pytest.fixture
def aliases(home, django_db_blocker):
    """Make database aliases on HOME/awn.sqlite3 with the queueing backend; returns their names."""
    made = []

    def make(**options) -> str:
        alias = f"writer_queue_{len(made)}"
        settings_dict = dict(connections["default"].settings_dict)
        settings_dict.update(
            ENGINE="awn.core.sqlite",
            NAME=str(home / "awn.sqlite3"),
            OPTIONS={"transaction_mode": "IMMEDIATE", "timeout": 0, **options},
            TEST={},
        )
        connections.settings[alias] = settings_dict
        made.append(alias)
        return alias

    with django_db_blocker.unblock():
        yield make
        for alias in made:
            connections[alias].close()
            del connections[alias]
            del connections.settings[alias]


def lock_is_free(home: Path) -> bool:
    fd = os.open(writer_lock_path(str(home / "awn.sqlite3")), os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # also lets go of the lock if it was taken
    return True


def insert(alias: str, who: str) -> None:
    connections[alias].cursor().execute("INSERT INTO rows (who) VALUES (%s)", [who])


def write_row(alias: str, who: str) -> object:
    """In a thread of the test: insert one row in a transaction of its own and close the thread's
    connection; returns "committed" or the exception the write met."""
    try:
        with transaction.atomic(using=alias):
            insert(alias, who)
        return "committed"
    except Exception as exc:
        return exc
    finally:
        connections[alias].close()


def test_the_lock_is_held_from_begin_to_commit_and_savepoints_inside_keep_it(aliases, home):
    alias = aliases()
    connections[alias].ensure_connection()
    assert lock_is_free(home)

    with transaction.atomic(using=alias):
        assert not lock_is_free(home)
        with pytest.raises(ZeroDivisionError), transaction.atomic(using=alias):
            insert(alias, "inner")
            1 / 0  # noqa: B018 - rolls the savepoint back
        assert not lock_is_free(home)  # a savepoint's rollback does not end the transaction
        insert(alias, "outer")

    assert lock_is_free(home)
    assert rows(home) == ["outer"]


def test_the_lock_is_let_go_on_rollback_and_on_close(aliases, home):
    alias = aliases()

    with pytest.raises(ZeroDivisionError), transaction.atomic(using=alias):
        insert(alias, "rolled back")
        1 / 0  # noqa: B018
    assert lock_is_free(home)

    with transaction.atomic(using=alias):
        insert(alias, "closed")
        connections[alias].close()
        assert lock_is_free(home)

    assert rows(home) == []


def test_reads_outside_a_transaction_take_no_lock_and_writes_let_go_after_the_statement(aliases, home):
    alias = aliases()
    outsider = os.open(writer_lock_path(str(home / "awn.sqlite3")), os.O_RDWR | os.O_CREAT)
    fcntl.flock(outsider, fcntl.LOCK_EX)
    try:
        assert connections[alias].cursor().execute("SELECT count(*) FROM rows").fetchone() == (0,)
    finally:
        fcntl.flock(outsider, fcntl.LOCK_UN)
        os.close(outsider)

    insert(alias, "autocommit")

    assert lock_is_free(home)
    assert rows(home) == ["autocommit"]


def test_autocommit_switched_off_keeps_the_lock_until_the_commit(aliases, home):
    alias = aliases()

    transaction.set_autocommit(False, using=alias)
    insert(alias, "manual")  # sqlite3 opens a transaction before it
    assert not lock_is_free(home)
    transaction.commit(using=alias)
    transaction.set_autocommit(True, using=alias)

    assert lock_is_free(home)
    assert rows(home) == ["manual"]


def test_threads_of_one_process_queue_on_their_own_connections(aliases, home):
    alias = aliases()  # each thread has its own connection for an alias
    started, outcome = threading.Event(), []

    def write():
        started.set()
        outcome.append(write_row(alias, "second"))

    with transaction.atomic(using=alias):
        insert(alias, "first")
        thread = threading.Thread(target=write)
        thread.start()
        started.wait(60)
        time.sleep(0.2)  # room for the thread to meet the lock (with a busy timeout of 0 it would fail)
        assert outcome == []
    thread.join(60)

    assert outcome == ["committed"]
    assert rows(home) == ["first", "second"]


def test_one_thread_per_process_waits_on_the_file_lock_the_others_on_the_process_gate(aliases, home):
    alias = aliases()
    lock = home / "awn.sqlite3-writer"
    holder = hold(home)  # another process
    ready = threading.Barrier(3)

    def write(who: str) -> None:
        ready.wait()
        write_row(alias, who)

    threads = [threading.Thread(target=write, args=(who,)) for who in ("second", "third")]
    for thread in threads:
        thread.start()
    ready.wait()
    wait_for(lambda: queued_on_lock(os.getpid(), lock), "a thread to queue on the file lock")
    time.sleep(0.2)  # room for the other thread to reach the file lock, were it not held back
    waiting = [
        line
        for line in Path("/proc/locks").read_text().splitlines()
        if line.split()[1] == "->" and line.split()[5] == str(os.getpid())
    ]
    (home / "first.go").touch()
    finish(holder)
    for thread in threads:
        thread.join(60)

    assert len(waiting) == 1
    assert sorted(rows(home)) == ["first", "second", "third"]


def test_without_the_queue_a_second_writer_meets_a_locked_database(aliases, home):
    alias = aliases(queue_writers=False)
    failure = []

    def write():
        failure.append(str(write_row(alias, "second")))

    with transaction.atomic(using=alias):
        insert(alias, "first")
        thread = threading.Thread(target=write)
        thread.start()
        thread.join(60)

    assert failure == ["database is locked"]
    assert rows(home) == ["first"]


def test_a_database_in_memory_has_no_lock_file(aliases):
    alias = aliases()
    connections.settings[alias]["NAME"] = ":memory:"

    connections[alias].ensure_connection()

    assert connections[alias].writer_queue is None


@pytest.mark.django_db(transaction=True)
def test_the_settings_choose_the_queueing_backend_for_sqlite():
    connection = connections["default"]
    if connection.vendor != "sqlite":
        pytest.skip("the queue is SQLite's")

    assert isinstance(connection, DatabaseWrapper)
    with transaction.atomic():
        assert connection.connection.in_transaction


def test_a_lock_file_that_cannot_be_opened_leaves_writers_to_the_busy_handler(aliases, home, caplog):
    alias = aliases()
    (home / "awn.sqlite3-writer").mkdir()  # a directory where the lock file should be

    insert(alias, "written")

    assert connections[alias].writer_queue is None
    assert "cannot open the writer lock" in caplog.text
    assert rows(home) == ["written"]


def pragma(alias: str, name: str):
    with connections[alias].cursor() as cursor:
        cursor.execute(f"PRAGMA {name}")
        return cursor.fetchone()[0]


def rows_in_the_database_file(home: Path, tmp_path_factory) -> list[str]:
    """The rows the database file itself holds, without what is still only in its WAL."""
    copy = tmp_path_factory.mktemp("file-only") / "awn.sqlite3"
    copy.write_bytes((home / "awn.sqlite3").read_bytes())
    with sqlite3.connect(copy) as db:
        return [who for (who,) in db.execute("SELECT who FROM rows ORDER BY id")]


def test_commits_checkpoint_the_wal_every_few_transactions_after_letting_go_of_the_lock(
    aliases, home, tmp_path_factory, monkeypatch
):
    from awn.core.sqlite import base

    alias = aliases()
    assert pragma(alias, "wal_autocheckpoint") == 0  # no checkpoint inside a COMMIT, under the lock
    lock_free_at_checkpoint = []
    checkpoint = DatabaseWrapper.checkpoint

    def watched(self):
        lock_free_at_checkpoint.append(lock_is_free(home))
        checkpoint(self)

    monkeypatch.setattr(DatabaseWrapper, "checkpoint", watched)
    connections[alias].writer_queue.checkpoints.commits = 0
    for number in range(base.CHECKPOINT_COMMITS + 2):
        with transaction.atomic(using=alias):
            insert(alias, f"row {number}")

    assert lock_free_at_checkpoint == [True]
    in_file = rows_in_the_database_file(home, tmp_path_factory)
    assert in_file == [f"row {n}" for n in range(base.CHECKPOINT_COMMITS)]  # the last two: in the WAL only
    assert len(rows(home)) == base.CHECKPOINT_COMMITS + 2


def test_without_the_queue_sqlite_checkpoints_as_it_always_does(aliases):
    alias = aliases(queue_writers=False)

    assert pragma(alias, "wal_autocheckpoint") == 1000
