"""Starting Awn for a benchmark and talking to it over HTTP with as little client overhead as possible."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

from awn.cli.environment import LOCAL_HOSTS


def _awn() -> str | None:
    awn = shutil.which("awn") or str(Path(sys.executable).with_name("awn"))
    return awn if Path(awn).exists() else None


def server_commands(port: int, processes: int = 1) -> list[list[str]]:
    """The processes to start, without access logs.

    One process: `awn run` (web and jobs in one process, the embedded shape of DESIGN.md §1). Several:
    `awn run --processes N` (N web processes on one port, the jobs in their parent; it needs Redis); with an
    `awn` from before that option (a snapshot under comparison), N `awn run --no-worker` on consecutive
    ports and one `awn worker`. uvicorn on the same ASGI application when the CLI is missing.
    """
    awn = _awn()
    help_text = ""
    if awn:
        help_text = subprocess.run(  # noqa: S603
            [awn, "run", "--help"], capture_output=True, text=True, check=False
        ).stdout
    if awn and "--port" in help_text:
        quiet = ["--log-level", "warning"] if "--log-level" in help_text else []
        one_port = [awn, "run", "--host", "127.0.0.1", "--port", str(port), *quiet]
        if processes == 1:
            return [one_port]
        if "--processes" in help_text:
            return [[*one_port, "--processes", str(processes)]]
        web = [
            [awn, "run", "--no-worker", "--host", "127.0.0.1", "--port", str(port + number), *quiet]
            for number in range(processes)
        ]
        return [*web, [awn, "worker"]]
    web = [
        sys.executable,
        "-m",
        "uvicorn",
        "awn.config.asgi:application",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
        "--lifespan",
        "off",
    ]
    return [web] if processes == 1 else [[*web, "--workers", str(processes)]]


def web_ports(port: int, commands: list[list[str]]) -> list[int]:
    """The ports the web processes of `commands` listen on."""
    return [int(c[c.index("--port") + 1]) for c in commands if "--port" in c] or [port]


def free_port(count: int = 1) -> int:
    """A free port, followed by `count - 1` more free ones."""
    for _attempt in range(50):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port + count < 65536 and not any(_port_in_use(port + n) for n in range(1, count)):
            return port
    raise RuntimeError(f"found no {count} consecutive free ports")


def _port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _descendants(pid: int) -> list[int]:
    found = [pid]
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                found += _descendants(int(child))
    except OSError:
        pass
    return found


def _process_cpu(pid: int) -> float:
    """User + system CPU seconds of one process so far (Linux /proc); OSError when it is gone."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


def cpu_seconds(pids: list[int]) -> float | None:
    """User + system CPU time of these processes and all their descendants (Linux /proc), in seconds."""
    total = 0.0
    try:
        for root in pids:
            for pid in _descendants(root):
                total += _process_cpu(pid)
    except (OSError, IndexError, ValueError):
        return None
    return total


def database_cpu() -> dict[int, float] | None:
    """PostgreSQL on this machine: the CPU seconds so far of each backend connected to Awn's database, by
    process id (a creation run counts what its backends used in between). None on SQLite, whose work is
    in Awn's own processes, and when PostgreSQL runs on another machine."""
    from django.db import connection

    host = connection.settings_dict.get("HOST") or ""  # none, or a folder: a Unix socket on this machine
    if connection.vendor != "postgresql" or not (not host or host.startswith("/") or host in LOCAL_HOSTS):
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        pids = [pid for (pid,) in cursor.fetchall()]
    found = {}
    for pid in pids:
        try:
            found[pid] = _process_cpu(pid)
        except (OSError, IndexError, ValueError):
            continue  # gone in between
    return found


def cpu_used_between(before: dict[int, float] | None, after: dict[int, float] | None) -> float | None:
    """The CPU seconds the processes of `after` used since `before` (a process new since then: all of its)."""
    if before is None or after is None:
        return None
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


class Server:
    """Awn in subprocesses on the configured database, for the length of a `with` block."""

    def __init__(self, port: int, log_path: Path, processes: int = 1) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.urls = [self.url]  # one per web process
        self.log_path = log_path
        self.processes_wanted = processes
        self.processes: list[subprocess.Popen] = []
        self.command: list[str] = []

    def __enter__(self) -> Server:
        commands = server_commands(self.port, self.processes_wanted)
        self.urls = [f"http://127.0.0.1:{port}" for port in web_ports(self.port, commands)]
        for url in self.urls:
            if _port_in_use(int(url.rsplit(":", 1)[1])):
                raise RuntimeError(f"{url} is already in use; pick another port with --port")
        env = dict(os.environ)
        env.setdefault("AWN_DEBUG", "0")
        env["AWN_ALLOWED_HOSTS"] = "127.0.0.1,localhost"
        env.setdefault("AWN_LOG_LEVEL", "WARNING")
        self.command = [part for command in commands for part in [*command, "&"]][:-1]
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("w")
        for command in commands:
            self.processes.append(
                subprocess.Popen(  # noqa: S603  (our own server commands)
                    command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
                )
            )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if any(process.poll() is not None for process in self.processes):
                self.__exit__()
                raise RuntimeError(f"the server exited; see {self.log_path}")
            if all(_answers(url) for url in self.urls):
                return self
            time.sleep(0.5)
        self.__exit__()
        raise RuntimeError(f"the server did not answer within 120 s; see {self.log_path}")

    def cpu_seconds(self) -> float | None:
        return cpu_seconds([process.pid for process in self.processes])

    def __exit__(self, *exc) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes = []


def _answers(url: str) -> bool:
    probe = HttpClient(url, timeout=2)
    try:
        return probe.get("/accounts/login/")[0] == 200
    except OSError:
        return False
    finally:
        probe.close()


class ExternalServer:
    """An already running server (for `--server URL`)."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self.urls = [self.url]
        self.command: list[str] = []

    def cpu_seconds(self) -> float | None:
        return None

    def __enter__(self) -> ExternalServer:
        return self

    def __exit__(self, *exc) -> None:
        return None


class HttpClient:
    """A keep-alive HTTP/1.1 client over the standard library, with a cookie jar and default headers.

    Lighter than a full client library: on two shared cores the client's own CPU time is part of what
    the numbers measure, so less of it is better.
    """

    def __init__(self, base_url: str, headers: dict[str, str] | None = None, timeout: float = 60) -> None:
        parts = urllib.parse.urlsplit(base_url)
        self.base_url = base_url.rstrip("/")
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.timeout = timeout
        self.headers = dict(headers or {})
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def request(
        self, method: str, path: str, *, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        sent = {**self.headers, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=body, headers=sent)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()  # the server closed an idle keep-alive connection: reconnect once
                if attempt == 2:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        return response.status, data

    def get(self, path: str) -> tuple[int, bytes]:
        return self.request("GET", path)

    def post_json(self, path: str, payload: dict) -> tuple[int, bytes]:
        return self.request(
            "POST", path, body=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
        )

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def signed_in_client(base_url: str, email: str, password: str) -> HttpClient:
    """A client with a session cookie from the real sign-in form (CSRF token and all)."""
    client = HttpClient(base_url)
    client.get("/accounts/login/")
    token = client.cookies.get("csrftoken", "")
    form = urllib.parse.urlencode({"email": email, "password": password, "csrfmiddlewaretoken": token})
    status, body = client.request(
        "POST",
        "/accounts/login/",
        body=form.encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"{base_url}/accounts/login/",
        },
    )
    if status != 302:
        text = re.sub(r"<[^>]+>", " ", body.decode(errors="replace"))
        errors = [line.strip() for line in text.splitlines() if "match" in line or "error" in line.lower()]
        raise RuntimeError(f"sign-in as {email} failed with {status}: {' '.join(errors)[:300]}")
    return client
