"""kill -9 of a worker in the middle of ingestion and in the middle of sending: after a restart nothing is
lost and nothing is sent twice. The workers are real `awn` processes on their own database (SQLite, or a
scratch PostgreSQL database when AWN_TEST_DATABASE_URL points at PostgreSQL); the SMTP server is aiosmtpd."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from tests.connectors.email.mails import make_mail
from tests.connectors.email.servers import start_smtp_server

AWN = Path(sys.executable).with_name("awn")
MESSAGES = 300
REPLIES = 12


class Installation:
    """An AWN_HOME with its own database, and the environment of a person's shell pointing at it."""

    def __init__(self, home: Path, database_url: str | None):
        self.home, self.database_url = home, database_url
        self.env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"PYTEST_VERSION", "PYTEST_CURRENT_TEST"} and not key.startswith("AWN_")
        }
        self.env.update(AWN_HOME=str(home), AWN_LOG_LEVEL="WARNING")
        if database_url:
            self.env["AWN_DATABASE_URL"] = database_url

    def run(self, *args: str, **extra: str) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [str(AWN), *args],
            env={**self.env, **extra},
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result

    def start(self, *args: str, **extra: str) -> subprocess.Popen:
        log = open(self.home / "worker.log", "ab")  # noqa: SIM115 - the worker writes to it until it dies
        return subprocess.Popen(
            [str(AWN), *args], env={**self.env, **extra}, stdout=log, stderr=log, stdin=subprocess.DEVNULL
        )

    def log(self) -> str:
        path = self.home / "worker.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def shell(self, code: str) -> str:
        return self.run("manage", "shell", "-c", code).stdout

    def query(self, sql: str) -> list[tuple]:
        if self.database_url:
            import psycopg

            with psycopg.connect(self.database_url, autocommit=True) as conn:
                return conn.execute(sql).fetchall()
        with sqlite3.connect(self.home / "awn.sqlite3", timeout=30) as db:
            return db.execute(sql).fetchall()

    def count(self, sql: str) -> int:
        return self.query(sql)[0][0]


@pytest.fixture
def installation(tmp_path):
    base = os.environ.get("AWN_TEST_DATABASE_URL", "")
    database_url = None
    if base.startswith("postgres"):
        import psycopg

        name = f"awn_crash_{os.getpid()}_{int(time.time())}"
        admin = base.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        database_url = base.rsplit("/", 1)[0] + "/" + name
    installation = Installation(tmp_path / "home", database_url)
    installation.run("init")
    installation.shell(
        "from awn.accounts.models import Team; from awn.connectors.email.models import Mailbox; "
        "team = Team.objects.create(name='Support'); "
        "Mailbox.objects.create(name='Acme Support', address='support@acme.example', team=team, "
        "inbound='smtp')"
    )
    yield installation
    if database_url:
        import psycopg

        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {database_url.rsplit('/', 1)[1]} WITH (FORCE)")


def wait_until(condition, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def wait_for_worker(installation, condition, *, timeout: float, what: str) -> None:
    try:
        wait_until(condition, timeout=timeout, what=what)
    except AssertionError as exc:
        raise AssertionError(f"{exc}; the worker's log:\n{installation.log()}") from None


def test_a_worker_killed_mid_ingestion_loses_nothing_and_duplicates_nothing(installation, tmp_path):
    folder = tmp_path / "mail"
    folder.mkdir()
    for n in range(MESSAGES):
        attachments = [("log.txt", b"line\n" * 50, "text/plain")] if n % 3 == 0 else []
        (folder / f"{n:04d}.eml").write_bytes(
            make_mail(
                sender=f"Customer {n % 40} <c{n % 40}@example.com>",
                subject=f"Request {n}",
                text=f"Message number {n}",
                message_id=f"<crash-{n}@example.com>",
                attachments=attachments,
            )
        )
    installation.run(
        "mail",
        "ingest",
        "--store-only",
        "--mailbox",
        "support@acme.example",
        *sorted(str(p) for p in folder.iterdir()),
    )
    assert installation.count("SELECT COUNT(*) FROM email_rawemail WHERE status = 'received'") == MESSAGES

    worker = installation.start("mail", "ingest", "--pending", "--watch")
    wait_for_worker(
        installation,
        lambda: installation.count("SELECT COUNT(*) FROM tickets_message") >= 60,
        timeout=120,
        what="the worker to ingest some messages",
    )
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)
    done_at_kill = installation.count("SELECT COUNT(*) FROM email_rawemail WHERE status = 'ingested'")
    assert done_at_kill < MESSAGES, "the worker finished before it could be killed"

    installation.run("mail", "ingest", "--pending")

    statuses = installation.query("SELECT status, COUNT(*) FROM email_rawemail GROUP BY status")
    assert statuses == [("ingested", MESSAGES)]
    assert installation.count("SELECT COUNT(*) FROM tickets_message") == MESSAGES
    assert installation.count("SELECT COUNT(DISTINCT source_id) FROM tickets_message") == MESSAGES
    assert installation.count("SELECT COUNT(*) FROM email_messageemail") == MESSAGES
    assert installation.count("SELECT COUNT(*) FROM tickets_attachment") == MESSAGES // 3


class StallingHandler:
    """Accepts mail, except that it holds the DATA of one chosen message open (no 250 yet) until told."""

    def __init__(self, stall_at: int):
        self.received: list[bytes] = []
        self.stall_at = stall_at
        self.stalled = threading.Event()
        self.release = threading.Event()
        self.seen = 0

    async def handle_DATA(self, server, session, envelope):
        self.seen += 1
        if self.seen == self.stall_at and not self.stalled.is_set():
            self.stalled.set()
            while not self.release.is_set():  # the client is killed meanwhile: this task is cancelled
                await asyncio.sleep(0.05)
            return "451 4.3.0 try again"
        self.received.append(envelope.original_content)
        return "250 OK"


def test_a_worker_killed_mid_sending_sends_every_reply_exactly_once(installation):
    installation.shell(
        "from awn.accounts.models import Role, User; from awn.accounts.models import Team; "
        "from awn.tickets.services import Actor, create_ticket, reply_to_ticket; "
        "team = Team.objects.get(); agent = User.objects.create_user(email='ada@acme.example', name='Ada', "
        "role=Role.AGENT); team.members.add(agent)\n"
        f"for n in range({REPLIES}):\n"
        "    customer = User.objects.create_user(email=f'c{n}@example.com', role=Role.CUSTOMER)\n"
        "    ticket = create_ticket(requester=customer, subject=f'Question {n}', body='?', team=team, "
        "by=Actor.of(customer))\n"
        "    reply_to_ticket(ticket=ticket, by=Actor.of(agent), body=f'Answer {n}')\n"
    )
    assert installation.count("SELECT COUNT(*) FROM outbox_outboxitem WHERE status = 'queued'") == REPLIES
    handler = StallingHandler(stall_at=5)
    server = start_smtp_server(handler)
    smtp = {"AWN_SMTP_HOST": "127.0.0.1", "AWN_SMTP_PORT": str(server.port), "AWN_OUTBOX_LEASE_SECONDS": "2"}
    try:
        worker = installation.start("outbox", "deliver", "--watch", "--interval", "0.2", **smtp)
        assert handler.stalled.wait(timeout=120), "the worker never reached the fifth message"
        os.kill(worker.pid, signal.SIGKILL)  # killed while its SMTP transaction is open
        worker.wait(timeout=10)
        handler.release.set()
        assert installation.count("SELECT COUNT(*) FROM outbox_outboxitem WHERE status = 'sending'") == 1
        assert len(handler.received) == 4

        worker = installation.start("outbox", "deliver", "--watch", "--interval", "0.2", **smtp)
        try:
            wait_for_worker(
                installation,
                lambda: (
                    installation.count("SELECT COUNT(*) FROM outbox_outboxitem WHERE status = 'sent'")
                    == REPLIES
                ),
                timeout=120,
                what="every reply to be sent after the restart",
            )
        finally:
            worker.terminate()
            worker.wait(timeout=10)
    finally:
        server.stop()

    ids = [message_from_bytes(raw, policy=policy.default)["Message-ID"] for raw in handler.received]
    ours = {row[0] for row in installation.query("SELECT message_id_header FROM email_messageemail")}
    assert len(ids) == REPLIES
    assert len(set(ids)) == REPLIES  # the SMTP server saw each message once
    assert set(ids) == ours
    assert installation.query("SELECT DISTINCT delivery FROM email_messageemail") == [("sent",)]
    attempts = sorted(row[0] for row in installation.query("SELECT attempts FROM outbox_outboxitem"))
    assert attempts == [1] * (REPLIES - 1) + [2]  # only the one in flight was tried again


def test_a_listener_killed_mid_stream_loses_no_message_it_accepted(installation):
    from tests.connectors.email.servers import free_port

    port = free_port()
    mails = {
        f"<stream-{n}@example.com>": make_mail(subject=f"Stream {n}", message_id=f"<stream-{n}@example.com>")
        for n in range(80)
    }
    accepted: set[str] = set()

    def deliver(pending: list[str], stop_after: int | None = None) -> list[str]:
        """Send like an MTA: a message counts as delivered only once the server said 250."""
        import smtplib

        left = []
        for index, mid in enumerate(pending):
            try:
                with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
                    client.sendmail("customer@example.com", ["support@acme.example"], mails[mid])
                accepted.add(mid)
            except (OSError, smtplib.SMTPException):
                left.append(mid)  # no 250: the sender keeps it and tries again later
            if stop_after is not None and index + 1 == stop_after:
                return left + pending[index + 1 :]
        return left

    def wait_for_port() -> None:
        import socket

        def listening() -> bool:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    return True
            except OSError:
                return False

        wait_for_worker(installation, listening, timeout=60, what="the listener to start")

    server = installation.start("mail", "serve", "--port", str(port))
    wait_for_port()
    pending = deliver(list(mails), stop_after=30)
    os.kill(server.pid, signal.SIGKILL)  # mid-stream: ingestion of what was just stored is under way
    server.wait(timeout=10)
    before_kill = len(accepted)
    pending = deliver(pending)  # the server is gone: nothing is accepted now
    assert 0 < before_kill == len(accepted) <= 30

    server = installation.start("mail", "serve", "--port", str(port))
    wait_for_port()
    try:
        for _round in range(3):  # an MTA retries what was not accepted
            pending = deliver(pending)
        assert pending == [], installation.log()
        wait_for_worker(
            installation,
            lambda: installation.count("SELECT COUNT(*) FROM email_rawemail WHERE status = 'received'") == 0,
            timeout=120,
            what="the restarted listener to ingest everything",
        )
    finally:
        server.terminate()
        server.wait(timeout=30)

    assert installation.count("SELECT COUNT(*) FROM tickets_message") == len(mails)
    assert installation.count("SELECT COUNT(DISTINCT source_id) FROM tickets_message") == len(mails)
    statuses = dict(installation.query("SELECT status, COUNT(*) FROM email_rawemail GROUP BY status"))
    assert statuses.get("ingested") == len(mails)
    assert set(statuses) <= {"ingested", "duplicate"}
    assert "Traceback" not in installation.log(), installation.log()
