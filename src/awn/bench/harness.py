"""The HTTP benchmark: start Awn on the generated database and measure it the way people use it.

`awn bench run` (or `python -m awn.bench run`) picks the people to act as from the database (agents with
different team scopes, the admin, the customer with the most tickets), starts `awn run` in a subprocess on the
same AWN_HOME / AWN_DATABASE_URL, signs them in through the real login form, and times real HTTP requests:
each scenario gets a warm-up, then N sequential requests (one client: the latency of one page, not a load
test), with random tickets and search words. Ticket creation is the exception: 16 concurrent API clients for
~20 s, reported as tickets per second. Query counts come from one in-process request per scenario.

The results are printed as a table and written as JSON to bench/out/.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import math
import os
import platform
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path

from django.db import connection
from django.db.models import Count, Max

from awn.accounts.models import Role, Team, User
from awn.bench import corpus
from awn.bench.people import ADMIN_EMAIL, BENCH_PASSWORD
from awn.tickets.models import Message, Ticket
from awn.tickets.selectors import ticket_queue

DEEP_PAGES = 100  # the deep keyset page starts after 100 pages of 100 tickets


@dataclass
class Result:
    name: str
    description: str
    samples_ms: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""
    queries: int | None = None
    example: str = ""

    def percentile(self, q: float) -> float | None:
        if not self.samples_ms:
            return None
        ordered = sorted(self.samples_ms)
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)]

    def summary(self) -> dict:
        return {
            "description": self.description,
            "n": len(self.samples_ms),
            "p50_ms": _round(self.percentile(0.50)),
            "p95_ms": _round(self.percentile(0.95)),
            "p99_ms": _round(self.percentile(0.99)),
            "max_ms": _round(max(self.samples_ms) if self.samples_ms else None),
            "errors": self.errors,
            "first_error": self.first_error,
            "queries": self.queries,
            "example": self.example,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


@dataclass
class Actors:
    admin: User
    agent_one_team: User
    agent_two_teams: User
    agent_all: User
    customer: User
    customer_tickets: int
    tickets: dict[str, list[int]]  # ticket numbers each actor may see, sampled at random
    search_terms: list[str]
    deep_cursor: str | None


# --- Preparing: who acts, which tickets, which words -------------------------------------------------------


def pick_actors(rng: random.Random) -> Actors:
    """Agents with different scopes, the admin and the busiest customer, from the generated data."""
    admin = User.objects.get(email=ADMIN_EMAIL)
    agents = list(User.objects.filter(role=Role.AGENT).prefetch_related("teams").order_by("id"))

    def scoped(predicate: Callable[[list[Team]], bool]) -> User:
        return next(agent for agent in agents if predicate(list(agent.teams.all())))

    one = scoped(lambda teams: len(teams) == 1 and teams[0].visibility == Team.Visibility.TEAM)
    two = scoped(lambda teams: len(teams) == 2 and all(t.visibility == Team.Visibility.TEAM for t in teams))
    everything = scoped(lambda teams: any(t.visibility == Team.Visibility.ALL for t in teams))
    top = Ticket.objects.values("requester_id").annotate(n=Count("id")).order_by("-n", "requester_id").first()
    customer = User.objects.get(pk=top["requester_id"])

    highest = Ticket.objects.aggregate(m=Max("id"))["m"]
    candidates = rng.sample(range(1, highest + 1), min(highest, 5000))
    tickets = {}
    for key, user in (("agent_one_team", one), ("agent_all", everything), ("admin", admin)):
        tickets[key] = list(
            Ticket.objects.visible_to(user).filter(pk__in=candidates).values_list("pk", flat=True)
        )
    own = list(Ticket.objects.visible_to(customer).values_list("pk", flat=True)[:5000])
    tickets["customer"] = own

    terms = [term for words in corpus.SEARCH_TERMS.values() for term in words]
    sample_ids = rng.sample(range(1, highest + 1), min(highest, 50))
    for body in Message.objects.filter(ticket_id__in=sample_ids).values_list("body", flat=True):
        terms += re.findall(r"(?:ORD|INV)-\d+", body)  # rare words: order and invoice numbers
    cursor = None
    for _page in range(DEEP_PAGES):
        page = ticket_queue(user=admin, view="all", sort="updated", cursor=cursor, limit=100)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    return Actors(
        admin=admin,
        agent_one_team=one,
        agent_two_teams=two,
        agent_all=everything,
        customer=customer,
        customer_tickets=top["n"],
        tickets=tickets,
        search_terms=terms,
        deep_cursor=cursor,
    )


def api_token_for(user: User) -> str:
    from awn.accounts.api_tokens import create_api_token

    _token, key = create_api_token(user=user, name="benchmark")
    return key


# --- The server ----------------------------------------------------------------------------------------


def server_command(port: int) -> list[str]:
    """`awn run` when the CLI is installed, else uvicorn on the same ASGI application."""
    awn = shutil.which("awn") or str(Path(sys.executable).with_name("awn"))
    if Path(awn).exists():
        help_text = subprocess.run([awn, "--help"], capture_output=True, text=True, check=False).stdout  # noqa: S603
        if " run" in help_text:
            return [awn, "run", "--host", "127.0.0.1", "--port", str(port)]
    return [
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
    ]


class Server:
    def __init__(self, port: int, log_path: Path) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        self.process: subprocess.Popen | None = None
        self.command: list[str] = []

    def __enter__(self) -> Server:
        env = dict(os.environ)
        env.setdefault("AWN_DEBUG", "0")
        env["AWN_ALLOWED_HOSTS"] = "127.0.0.1,localhost"
        env.setdefault("AWN_LOG_LEVEL", "WARNING")
        self.command = server_command(self.port)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("w")
        self.process = subprocess.Popen(  # noqa: S603  (our own server command)
            self.command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited; see {self.log_path}")
            probe = HttpClient(self.url, timeout=2)
            try:
                if probe.get("/accounts/login/")[0] == 200:
                    return self
            except OSError:
                pass
            finally:
                probe.close()
            time.sleep(0.5)
        raise RuntimeError(f"the server did not answer within 120 s; see {self.log_path}")

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


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


def signed_in_client(base_url: str, email: str) -> HttpClient:
    """A client with a session cookie from the real sign-in form (CSRF token and all)."""
    client = HttpClient(base_url)
    client.get("/accounts/login/")
    token = client.cookies.get("csrftoken", "")
    form = urllib.parse.urlencode({"email": email, "password": BENCH_PASSWORD, "csrfmiddlewaretoken": token})
    status, _body = client.request(
        "POST",
        "/accounts/login/",
        body=form.encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"{base_url}/accounts/login/",
        },
    )
    if status != 302:
        raise RuntimeError(f"sign-in as {email} failed with {status}")
    return client


# --- Measuring ---------------------------------------------------------------------------------------------


@dataclass
class Scenario:
    name: str
    description: str
    client: str  # key into the clients dict
    next_url: Callable[[random.Random], str]


def measure(scenario: Scenario, client: HttpClient, *, requests: int, warmup: int, seed: int) -> Result:
    rng = random.Random(seed)
    result = Result(name=scenario.name, description=scenario.description, example=scenario.next_url(rng))
    for index in range(warmup + requests):
        url = scenario.next_url(rng)
        started = time.perf_counter()
        status, _body = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        if status != 200:
            result.errors += 1
            if not result.first_error:
                result.first_error = f"{status} {url}"
            continue
        if index >= warmup:
            result.samples_ms.append(elapsed)
    return result


def measure_creation(
    base_url: str, token: str, emails: list[str], *, clients: int, seconds: float, seed: int
) -> dict:
    """`clients` threads POSTing tickets for `seconds`; returns tickets/s and latencies."""
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    created = 0
    clock = {"start": 0.0, "stop": 0.0}

    def start_the_clock() -> None:  # runs once, when every client is connected
        clock["start"] = time.monotonic()
        clock["stop"] = clock["start"] + seconds

    start_barrier = threading.Barrier(clients, action=start_the_clock)

    def worker(number: int) -> None:
        nonlocal created
        rng = random.Random(seed * 1000 + number)
        client = HttpClient(base_url, headers={"Authorization": f"Bearer {token}"})
        client.get("/api/v1/teams")  # open the connection before the clock starts
        start_barrier.wait()
        while time.monotonic() < clock["stop"]:
            payload = creation_payload(rng, emails, number)
            began = time.perf_counter()
            status, body = client.post_json("/api/v1/tickets", payload)
            elapsed = (time.perf_counter() - began) * 1000
            with lock:
                if status == 201:
                    created += 1
                    latencies.append(elapsed)
                else:
                    errors.append(f"{status} {body[:200].decode(errors='replace')}")
        client.close()

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - clock["start"]
    result = Result(name="api.create", description="", samples_ms=latencies)
    return {
        "clients": clients,
        "seconds": round(wall, 1),
        "created": created,
        "tickets_per_s": round(created / wall, 1),
        "p50_ms": _round(result.percentile(0.5)),
        "p95_ms": _round(result.percentile(0.95)),
        "errors": len(errors),
        "first_error": errors[0] if errors else "",
    }


def creation_payload(rng: random.Random, emails: list[str], worker: int) -> dict:
    lang = rng.choices(corpus.LANGUAGES, corpus.LANGUAGE_WEIGHTS)[0]
    topic = rng.choices(list(corpus.TOPICS), corpus.TOPIC_WEIGHTS)[0]
    slots = {name: rng.choice(values) for name, values in corpus.SLOTS[lang].items()}
    slots.update(
        order=f"ORD-{rng.randrange(100000, 999999)}",
        invoice=f"INV-{rng.randrange(10000, 99999)}",
        serial=f"SN{rng.randrange(10**7, 10**8)}",
        company="Acme",
        name="Sam",
    )
    body = (
        rng.choice(corpus.OPENINGS[lang])
        + "\n\n"
        + rng.choice(corpus.PROBLEMS[lang][topic])
        + " "
        + rng.choice(corpus.DETAILS[lang])
        + "\n\n"
        + rng.choice(corpus.CLOSINGS[lang])
    ).format(**slots)
    if rng.random() < 0.8:
        email = rng.choice(emails)  # a known customer writes again
    else:
        email = f"new-{worker}-{rng.randrange(10**9)}@api.bench.test"  # created on the fly
    return {
        "subject": rng.choice(corpus.SUBJECTS[lang][topic]).format(**slots),
        "message": {"body": body},
        "requester": {"email": email, "name": "Bench Customer"},
    }


def count_queries(url: str, user: User, *, token: str | None = None) -> int | None:
    """Queries one request runs, from an in-process request through Django's test client."""
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    headers = {}
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    else:
        client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    return len(queries) if response.status_code == 200 else None


# --- The run -----------------------------------------------------------------------------------------------


def scenarios_for(actors: Actors) -> list[Scenario]:
    def pick(key: str, prefix: str) -> Callable[[random.Random], str]:
        numbers = actors.tickets[key]
        return lambda rng: f"{prefix}{rng.choice(numbers)}/"

    def search(prefix: str) -> Callable[[random.Random], str]:
        return lambda rng: f"{prefix}{urllib.parse.urlencode({'q': rng.choice(actors.search_terms)})}"

    fixed = lambda url: lambda rng: url  # noqa: E731
    deep = (
        f"/desk/?view=all&sort=updated&cursor={actors.deep_cursor}"
        if actors.deep_cursor
        else "/desk/?view=all"
    )
    return [
        Scenario(
            "desk.inbox.mine",
            "agent (one team): my open tickets, oldest first",
            "agent_one_team",
            fixed("/desk/?view=mine"),
        ),
        Scenario(
            "desk.inbox.unassigned",
            "agent (one team): unassigned",
            "agent_one_team",
            fixed("/desk/?view=unassigned"),
        ),
        Scenario(
            "desk.inbox.teams", "agent (two teams): my teams", "agent_two_teams", fixed("/desk/?view=teams")
        ),
        Scenario(
            "desk.inbox.all",
            "agent (sees all): all tickets, recently updated",
            "agent_all",
            fixed("/desk/?view=all"),
        ),
        Scenario(
            "desk.inbox.all_scoped",
            "agent (one team): all visible, open, oldest first",
            "agent_one_team",
            fixed("/desk/?view=all&status=open&sort=oldest"),
        ),
        Scenario(
            "desk.inbox.priority",
            "admin: all tickets by priority",
            "admin",
            fixed("/desk/?view=all&sort=priority"),
        ),
        Scenario(
            "desk.inbox.deep",
            f"admin: all tickets, {DEEP_PAGES * 100:,} tickets deep (keyset)",
            "admin",
            fixed(deep),
        ),
        Scenario(
            "desk.ticket",
            "agent (one team): a random visible ticket",
            "agent_one_team",
            pick("agent_one_team", "/desk/tickets/"),
        ),
        Scenario(
            "desk.ticket_all",
            "agent (sees all): a random ticket",
            "agent_all",
            pick("agent_all", "/desk/tickets/"),
        ),
        Scenario("desk.search", "agent (one team): search box", "agent_one_team", search("/desk/search/?")),
        Scenario("api.search", "API, agent (sees all): GET /api/v1/search", "api", search("/api/v1/search?")),
        Scenario(
            "api.tickets",
            "API, agent (sees all): GET /api/v1/tickets?view=all",
            "api",
            fixed("/api/v1/tickets?view=all"),
        ),
        Scenario(
            "portal.list",
            f"customer with the most tickets ({actors.customer_tickets})",
            "customer",
            fixed("/tickets/"),
        ),
        Scenario(
            "portal.ticket", "customer: one of their tickets", "customer", pick("customer", "/tickets/")
        ),
    ]


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    with contextlib.suppress(OSError, IndexError):
        memory = Path("/proc/meminfo").read_text().splitlines()[0].split(":", 1)[1].strip()
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory": memory,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def database_info() -> dict:
    info = {
        "vendor": connection.vendor,
        "tickets": Ticket.objects.count(),
        "messages": Message.objects.count(),
    }
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT version()")
        else:
            cursor.execute("SELECT 'SQLite ' || sqlite_version()")
        info["version"] = cursor.fetchone()[0]
    return info


def run_benchmark(args) -> int:
    from django.core.management import call_command

    rng = random.Random(1)
    out_dir = Path(args.out)
    call_command(
        "migrate", interactive=False, verbosity=1
    )  # migrations may have landed since the data was made
    db = database_info()
    label = args.label or f"{db['vendor']}-{_size(db['tickets'])}"
    print(f"benchmark {label}: {db['tickets']:,} tickets, {db['messages']:,} messages on {db['version']}")
    started = time.monotonic()
    actors = pick_actors(rng)
    token = api_token_for(actors.agent_all)
    print(
        f"prepared in {time.monotonic() - started:.1f} s (customer with {actors.customer_tickets} tickets, "
        f"{len(actors.search_terms)} search words)"
    )
    scenarios = scenarios_for(actors)
    scenarios = [s for s in scenarios if _wanted(s.name, args.only)]
    users = {
        "agent_one_team": actors.agent_one_team,
        "agent_two_teams": actors.agent_two_teams,
        "agent_all": actors.agent_all,
        "admin": actors.admin,
        "customer": actors.customer,
    }

    results: list[Result] = []
    creation: dict | None = None
    with (
        Server(args.port, out_dir / f"{label}-server.log")
        if not args.server
        else _External(args.server) as srv
    ):
        clients = {key: signed_in_client(srv.url, user.email) for key, user in users.items()}
        clients["api"] = HttpClient(srv.url, headers={"Authorization": f"Bearer {token}"})
        print(f"server: {' '.join(srv.command) if srv.command else srv.url}")
        print(HEADER)
        for number, scenario in enumerate(scenarios):
            result = measure(
                scenario, clients[scenario.client], requests=args.requests, warmup=args.warmup, seed=number
            )
            example = scenario.next_url(random.Random(number))
            if scenario.client == "api":
                result.queries = count_queries(example, actors.agent_all, token=token)
            else:
                result.queries = count_queries(example, users[scenario.client])
            results.append(result)
            _print_row(result)
        if not args.no_create and _wanted("api.create", args.only):
            emails = list(
                User.objects.filter(role=Role.CUSTOMER).order_by("?").values_list("email", flat=True)[:2000]
            )
            creation = measure_creation(
                srv.url, token, emails, clients=args.clients, seconds=args.create_seconds, seed=7
            )
            print(
                f"{'api.create':<24} {creation['tickets_per_s']:>8.1f} tickets/s with {creation['clients']} "
                f"clients (p50 {creation['p50_ms']} ms, p95 {creation['p95_ms']} ms, "
                f"errors {creation['errors']})"
            )
        for client in clients.values():
            client.close()

    report = {
        "label": label,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": db,
        "machine": machine(),
        "git": _git_commit(),
        "settings": {
            "requests": args.requests,
            "warmup": args.warmup,
            "clients": args.clients,
            "create_seconds": args.create_seconds,
        },
        "scenarios": {r.name: r.summary() for r in results},
        "create": creation,
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{label}.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"written to {path}")
    return 0 if all(r.errors == 0 for r in results) and not (creation and creation["errors"]) else 1


def _wanted(name: str, only: str) -> bool:
    prefixes = tuple(p.strip() for p in (only or "").split(",") if p.strip())
    return not prefixes or name.startswith(prefixes)


class _External:
    """An already running server (for `--server URL`)."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self.command: list[str] = []

    def __enter__(self) -> _External:
        return self

    def __exit__(self, *exc) -> None:
        return None


HEADER = f"{'scenario':<24} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'n':>5} {'err':>4} {'queries':>7}"


def _print_row(result: Result) -> None:
    row = result.summary()
    queries = "-" if row["queries"] is None else str(row["queries"])
    line = (
        f"{result.name:<24} {_fmt(row['p50_ms'])} {_fmt(row['p95_ms'])} {_fmt(row['max_ms'])} "
        f"{row['n']:>5} {row['errors']:>4} {queries:>7}"
    )
    print(line + (f"  {row['first_error']}" if row["first_error"] else ""), flush=True)


def _fmt(value: float | None) -> str:
    return f"{value:>8.1f}" if value is not None else f"{'-':>8}"


def _size(count: int) -> str:
    """100k, 1m …: two significant digits, so the tickets a creation run adds do not change the label."""
    rounded = round(count, 2 - len(str(count))) if count >= 100 else count
    if rounded >= 1_000_000:
        return f"{rounded / 1_000_000:g}m"
    if rounded >= 1000:
        return f"{rounded / 1000:g}k"
    return str(rounded)


def _git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
            cwd=Path(__file__).resolve().parent,
        ).stdout.strip()
    except OSError:
        return ""
