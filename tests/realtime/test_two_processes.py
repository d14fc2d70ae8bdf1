"""Scaled out (DESIGN.md §1, §8): two `awn run` processes share the database and the Redis channel layer; a
visitor connected to process A chats with an agent connected to process B.

Real processes, a real Redis (127.0.0.1:6379, its own database number) and the database of the run: a SQLite
file in a temporary AWN_HOME, or, when AWN_TEST_DATABASE_URL names PostgreSQL, a database of its own next to
the test database.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REDIS_URL = os.environ.get("AWN_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")
AWN = str(Path(sys.executable).with_name("awn"))
ORIGIN = "https://shop.example"

SETUP = """
import json
from django.test import Client
from awn.accounts.models import Role, Team, User
from awn.connectors.chat.models import ChatWidget
from awn.connectors.chat.services import set_availability
agent = User.objects.create_user(email="ada@support.example", name="Ada Agent", role=Role.AGENT)
team = Team.objects.create(name="Support")
team.members.add(agent)
widget = ChatWidget.objects.create(name="Shop", team=team, allowed_origins=["https://shop.example"])
set_availability(user=agent, availability="online")
client = Client()
client.force_login(agent)
print(json.dumps({"widget": widget.key, "session": client.cookies["sessionid"].value}))
"""


def _redis_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"awn run on port {port} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"awn run on port {port} did not start in {timeout}s")


def _database_url(tmp_path: Path) -> tuple[str, str | None]:
    """(database URL, PostgreSQL database to drop afterwards)."""
    test_url = os.environ.get("AWN_TEST_DATABASE_URL", "")
    if not test_url.startswith("postgres"):
        return f"sqlite:///{tmp_path / 'awn.sqlite3'}", None
    import psycopg

    base, _, _name = test_url.rpartition("/")
    name = f"awn_twoproc_{os.getpid()}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}", name


def _drop_database(url: str, name: str) -> None:
    import psycopg

    base = url.rpartition("/")[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def two_processes(tmp_path):
    if not _redis_available():
        pytest.fail("Redis is not running on 127.0.0.1:6379")
    database_url, created = _database_url(tmp_path)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST", "AWN_TEST", "DJANGO_ALLOW_ASYNC"))
    }
    env.update(
        {
            "AWN_HOME": str(tmp_path / "home"),
            "AWN_DATABASE_URL": database_url,
            "AWN_REDIS_URL": REDIS_URL,
            "AWN_SECRET_KEY": "two-processes-test-key",
            "AWN_LOG_LEVEL": "WARNING",
        }
    )
    subprocess.run(
        [AWN, "manage", "migrate", "--verbosity", "0"], env=env, check=True, capture_output=True, timeout=300
    )
    setup = subprocess.run(
        [AWN, "manage", "shell", "-c", SETUP],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    data = json.loads(setup.stdout.strip().splitlines()[-1])
    ports = [_free_port(), _free_port()]
    logs = [open(tmp_path / f"awn-run-{port}.log", "wb") for port in ports]  # noqa: SIM115
    processes = [
        subprocess.Popen(
            [AWN, "run", "--port", str(port), "--no-worker", "--log-level", "warning"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for port, log in zip(ports, logs, strict=True)
    ]
    try:
        for port, process in zip(ports, processes, strict=True):
            _wait_for_port(port, process)
        yield {"ports": ports, **data}
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        for log in logs:
            log.close()
            sys.stderr.write(Path(log.name).read_text(errors="replace")[-3000:])
        if created:
            _drop_database(database_url, created)


async def _until(ws, kind: str, timeout: float = 30.0) -> dict:
    async def next_of_kind():
        while True:
            frame = json.loads(await ws.recv())
            if frame.get("type") == kind:
                return frame

    return await asyncio.wait_for(next_of_kind(), timeout)


def test_a_visitor_on_one_process_chats_with_an_agent_on_another(two_processes):
    import websockets

    port_a, port_b = two_processes["ports"]
    key, session_cookie = two_processes["widget"], two_processes["session"]

    async def scenario():
        async with (
            websockets.connect(
                f"ws://127.0.0.1:{port_b}/ws/desk/",
                origin=f"http://127.0.0.1:{port_b}",
                additional_headers={"Cookie": f"sessionid={session_cookie}"},
            ) as agent,
            websockets.connect(f"ws://127.0.0.1:{port_a}/ws/chat/{key}/", origin=ORIGIN) as visitor,
        ):
            await visitor.send(
                json.dumps({"type": "hello", "page": {"url": f"{ORIGIN}/pricing", "title": "Pricing"}})
            )
            await _until(visitor, "welcome")
            await visitor.send(json.dumps({"type": "message", "text": "Hello from process A"}))
            ack = await _until(visitor, "ack")
            offered = await _until(agent, "chat")
            ticket, session = ack["session"]["ticket"], ack["session"]["id"]

            await agent.send(json.dumps({"type": "view", "ticket": ticket}))
            await _until(agent, "viewing")
            await visitor.send(json.dumps({"type": "typing", "on": True}))
            typing = await _until(agent, "typing")
            await agent.send(
                json.dumps({"type": "reply", "session": session, "text": "Hello from process B"})
            )
            answer = await _until(visitor, "message")
            while answer["message"]["from"] != "agent":
                answer = await _until(visitor, "message")
            return offered, typing, answer

    offered, typing, answer = asyncio.run(scenario())
    assert offered["state"] == "assigned"
    assert typing["who"] == "visitor" and typing["on"] is True
    assert answer["message"]["html"] == "<p>Hello from process B</p>"
    assert answer["message"]["name"] == "Ada"
