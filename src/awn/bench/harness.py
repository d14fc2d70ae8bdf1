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
import json
import math
import os
import platform
import random
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.db import connection

from awn.accounts.models import Role, User
from awn.bench.people import BENCH_PASSWORD
from awn.bench.scenarios import Scenario, api_token_for, creation_payload, pick_actors, scenarios_for
from awn.bench.server import (
    ExternalServer,
    HttpClient,
    Server,
    cpu_used_between,
    database_cpu,
    free_port,
    signed_in_client,
)
from awn.tickets.models import Message, Ticket


@dataclass
class Result:
    name: str
    description: str
    samples_ms: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""
    queries: int | None = None
    capped: bool = False
    server_cpu_ms: float | None = None
    sql_ms: float | None = None
    slowest_sql: list[tuple[float, str]] = field(default_factory=list)
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
            "capped": self.capped,
            "server_cpu_ms_per_request": _round(self.server_cpu_ms),
            "queries": self.queries,
            "sql_ms_in_process": self.sql_ms,
            "slowest_queries": [{"ms": ms, "sql": sql[:600]} for ms, sql in self.slowest_sql],
            "example": self.example,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def measure(
    scenario: Scenario,
    client: HttpClient,
    *,
    requests: int,
    warmup: int,
    seed: int,
    server_cpu: Callable[[], float | None] = lambda: None,
    max_seconds: float = 0,
) -> Result:
    """Warm up, then time `requests` requests one after another.

    With `max_seconds`, a scenario too slow for the full count stops early (after at least 5 measured
    requests; the warm-up gets a quarter of the time) and is marked as capped.
    """
    rng = random.Random(seed)
    result = Result(name=scenario.name, description=scenario.description, example=scenario.next_url(rng))
    cpu_before = None
    measured = 0
    began = time.monotonic()
    index = 0
    while index < warmup + requests:
        spent = time.monotonic() - began
        if max_seconds and index < warmup and index > 0 and spent > max_seconds / 4:
            index = warmup  # enough warming for a page this slow
        if index == warmup:
            cpu_before = server_cpu()
            began = time.monotonic()
        elif max_seconds and index > warmup + 5 and time.monotonic() - began > max_seconds:
            result.capped = True
            break
        url = scenario.next_url(rng)
        started = time.perf_counter()
        status, _body = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        if index >= warmup:
            measured += 1
        index += 1
        if status != 200:
            result.errors += 1
            if not result.first_error:
                result.first_error = f"{status} {url}"
            continue
        if index > warmup:
            result.samples_ms.append(elapsed)
    cpu_after = server_cpu()
    if cpu_before is not None and cpu_after is not None and measured:
        # CPU the server spent per request: far less sensitive to other work on the machine than latency.
        result.server_cpu_ms = (cpu_after - cpu_before) * 1000 / measured
    return result


def wait_until_idle(
    server_cpu: Callable[[], float | None], *, share: float = 0.05, step: float = 0.5, limit: float = 60.0
) -> float:
    """Wait until the server spends less than `share` of a core (a freshly started `awn run` loads the
    language models in the background for several seconds of CPU: a run measured meanwhile shares the
    cores with that start-up work). Returns the seconds waited; at most `limit`, and none when the server's
    CPU cannot be read."""
    began = time.monotonic()
    before = server_cpu()
    while before is not None and time.monotonic() - began < limit:
        time.sleep(step)
        after = server_cpu()
        if after is None or after - before < share * step:
            break
        before = after
    return time.monotonic() - began


def measure_creation(
    base_urls: list[str],
    token: str,
    emails: list[str],
    *,
    clients: int,
    seconds: float,
    seed: int,
    server_cpu: Callable[[], float | None] = lambda: None,
    database_cpu: Callable[[], dict[int, float] | None] = lambda: None,
    warmup_seconds: float = 3.0,
) -> dict:
    """`clients` threads POSTing tickets for `seconds` (spread over the web processes' `base_urls`) after
    `warmup_seconds` of the same unmeasured; returns tickets/s, latencies and whether every ticket created
    is complete (its report facts and search documents written). The report facts of new tickets are
    written by the server's facts writer after they commit (reports/pending.py): the run samples how many wait
    while it lasts, and at its end waits until none does (`facts_caught_up_s`) before it reads the CPU used,
    so the writer's work is in the CPU per ticket."""
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    created = 0
    clock = {"start": 0.0, "stop": 0.0}

    cpu: dict[str, Any] = {"start": None, "database": None}

    def start_the_clock() -> None:  # runs once, when every client is connected
        cpu["start"] = server_cpu()
        cpu["database"] = database_cpu()
        connection.close()  # this thread's, opened to read the backends
        clock["start"] = time.monotonic()
        clock["stop"] = clock["start"] + seconds

    start_barrier = threading.Barrier(clients, action=start_the_clock)

    def worker(number: int) -> None:
        nonlocal created
        rng = random.Random(seed * 1000 + number)
        client = HttpClient(base_urls[number % len(base_urls)], headers={"Authorization": f"Bearer {token}"})
        client.get("/api/v1/teams")  # open the connection before the clock starts
        warm_until = time.monotonic() + warmup_seconds
        while time.monotonic() < warm_until:  # first requests load caches and language models
            client.post_json("/api/v1/tickets", creation_payload(rng, emails, number))
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

    last_before = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    wait_until_idle(server_cpu)
    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    queued = []
    while any(thread.is_alive() for thread in threads):
        if clock["start"]:
            queued.append(_facts_queued())
        threads[0].join(timeout=1.0)
    for thread in threads:
        thread.join()
    wall = time.monotonic() - clock["start"]
    caught_up = _wait_for_facts()
    cpu_end = server_cpu()
    database_used = cpu_used_between(cpu["database"], database_cpu())
    consistency = creation_consistency(last_before)
    result = Result(name="api.create", description="", samples_ms=latencies)
    cpu_per_ticket = None
    if cpu["start"] is not None and cpu_end is not None and created:
        cpu_per_ticket = _round((cpu_end - cpu["start"]) * 1000 / created)
    return {
        "clients": clients,
        "seconds": round(wall, 1),
        "created": created,
        "tickets_per_s": round(created / wall, 1),
        "p50_ms": _round(result.percentile(0.5)),
        "p95_ms": _round(result.percentile(0.95)),
        "server_cpu_ms_per_ticket": cpu_per_ticket,
        # PostgreSQL's backends on this machine (None on SQLite: its work is in the server's CPU)
        "database_cpu_ms_per_ticket": _round(database_used * 1000 / created)
        if database_used is not None and created
        else None,
        "errors": len(errors),
        "first_error": errors[0] if errors else "",
        "facts_queued_max": max(queued, default=0),
        "facts_queued_mean": round(sum(queued) / len(queued), 1) if queued else 0,
        "facts_caught_up_s": caught_up,
        "consistency": consistency,
    }


def _facts_queued() -> int:
    """The tickets the server's facts writer has still to write (not those it gave up on)."""
    from awn.reports.pending import backlog

    queued, _oldest, given_up = backlog()
    return queued - given_up


def _wait_for_facts(limit: float = 300.0) -> float | None:
    """Seconds until the server's facts writer has written every queued ticket's facts (None: not in
    `limit`)."""
    began = time.monotonic()
    while _facts_queued():
        if time.monotonic() - began > limit:
            return None
        time.sleep(0.1)
    return round(time.monotonic() - began, 1)


def creation_consistency(after_id: int) -> dict:
    """The tickets created since `after_id` (warm-up included), and how many lack what a creation writes
    with them: report facts, a search document, the opening message's language when it has a message."""
    from awn.reports.models import TicketFacts
    from awn.search.models import SearchDocument

    new = Ticket.objects.filter(pk__gt=after_id)
    tickets = new.count()
    return {
        "tickets": tickets,
        "without_facts": tickets - TicketFacts.objects.filter(ticket_id__gt=after_id).count(),
        "without_search": new.exclude(
            pk__in=SearchDocument.objects.filter(ticket_id__gt=after_id).values("ticket_id")
        ).count(),
    }


@dataclass
class QueryProfile:
    count: int
    sql_ms: float
    slowest: list[tuple[float, str]]


def profile_queries(url: str, user: User, *, token: str | None = None) -> QueryProfile | None:
    """The queries one request runs (count, time, the slowest), from an in-process request."""
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    headers: dict[str, str] = {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    else:
        client.force_login(user)
    client.get(url, headers=headers)  # warm
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    if response.status_code != 200:
        return None
    timed = sorted(((float(q["time"]) * 1000, q["sql"]) for q in queries.captured_queries), reverse=True)
    return QueryProfile(
        count=len(timed),
        sql_ms=round(sum(ms for ms, _sql in timed), 1),
        slowest=[(round(ms, 1), sql) for ms, sql in timed[:3]],
    )


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
    from django.conf import settings
    from django.core.management import call_command

    if args.processes > 1 and not args.server and not settings.AWN_REDIS_URL:
        print("--processes needs AWN_REDIS_URL: web processes share state through Redis", file=sys.stderr)
        return 2
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

    load_before = os.getloadavg()
    results: list[Result] = []
    creation: dict | None = None
    server_command: list[str] = []

    def save() -> Path:
        """Write what has been measured so far (after every scenario: a killed run keeps its results)."""
        report = {
            "label": label,
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": db,
            "machine": machine(),
            "git": _git_commit(),
            "server": " ".join(server_command) if server_command else args.server,
            "load_average": {
                "before": [round(x, 2) for x in load_before],
                "after": [round(x, 2) for x in os.getloadavg()],
            },
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
        return path

    with (
        Server(
            args.port or free_port(args.processes), out_dir / f"{label}-server.log", processes=args.processes
        )
        if not args.server
        else ExternalServer(args.server) as srv
    ):
        clients = {key: signed_in_client(srv.url, user.email, BENCH_PASSWORD) for key, user in users.items()}
        clients["api"] = HttpClient(srv.url, headers={"Authorization": f"Bearer {token}"})
        server_command = srv.command
        print(f"server: {' '.join(srv.command) if srv.command else srv.url}")
        print(HEADER)
        for number, scenario in enumerate(scenarios):
            result = measure(
                scenario,
                clients[scenario.client],
                requests=args.requests,
                warmup=args.warmup,
                seed=number,
                server_cpu=srv.cpu_seconds,
                max_seconds=args.scenario_seconds,
            )
            example = scenario.next_url(random.Random(number))
            if scenario.client == "api":
                profile = profile_queries(example, actors.agent_all, token=token)
            else:
                profile = profile_queries(example, users[scenario.client])
            if profile is not None:
                result.queries, result.sql_ms, result.slowest_sql = (
                    profile.count,
                    profile.sql_ms,
                    profile.slowest,
                )
            results.append(result)
            save()
            _print_row(result)
        if not args.no_create and _wanted("api.create", args.only):
            emails = list(
                User.objects.filter(role=Role.CUSTOMER).order_by("?").values_list("email", flat=True)[:2000]
            )
            creation = measure_creation(
                srv.urls,
                token,
                emails,
                clients=args.clients,
                seconds=args.create_seconds,
                seed=7,
                server_cpu=srv.cpu_seconds,
                database_cpu=database_cpu,
            )
            database = creation["database_cpu_ms_per_ticket"]
            print(
                f"{'api.create':<24} {creation['tickets_per_s']:>8.1f} tickets/s with {creation['clients']} "
                f"clients (p50 {creation['p50_ms']} ms, p95 {creation['p95_ms']} ms, "
                f"server CPU {creation['server_cpu_ms_per_ticket']} ms/ticket"
                + ("" if database is None else f", PostgreSQL CPU {database} ms/ticket")
                + f", errors {creation['errors']})"
            )
            print(
                f"{'':<24} report facts waiting while it ran: mean {creation['facts_queued_mean']}, "
                f"max {creation['facts_queued_max']}; all written {creation['facts_caught_up_s']} s after"
            )
            print(f"{'':<24} created since the start: {creation['consistency']}")
        for client in clients.values():
            client.close()

    path = save()
    print(f"load average before {load_before[0]:.1f}, after {os.getloadavg()[0]:.1f}; written to {path}")
    return 0 if all(r.errors == 0 for r in results) and not (creation and creation["errors"]) else 1


def _wanted(name: str, only: str) -> bool:
    prefixes = tuple(p.strip() for p in (only or "").split(",") if p.strip())
    return not prefixes or name.startswith(prefixes)


HEADER = " ".join(
    [
        f"{'scenario':<24}",
        *(f"{h:>8}" for h in ("p50 ms", "p95 ms", "max ms")),
        f"{'n':>5}",
        f"{'err':>4}",
        f"{'cpu ms':>7}",
        f"{'queries':>7}",
        f"{'sql ms':>7}",
    ]
)


def _print_row(result: Result) -> None:
    row = result.summary()
    queries = "-" if row["queries"] is None else str(row["queries"])
    sql_ms = "-" if row["sql_ms_in_process"] is None else f"{row['sql_ms_in_process']:.1f}"
    cpu_ms = "-" if row["server_cpu_ms_per_request"] is None else f"{row['server_cpu_ms_per_request']:.1f}"
    line = (
        f"{result.name:<24} {_fmt(row['p50_ms'])} {_fmt(row['p95_ms'])} {_fmt(row['max_ms'])} "
        f"{row['n']:>5} {row['errors']:>4} {cpu_ms:>7} {queries:>7} {sql_ms:>7}"
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
    """The commit measured: AWN_BENCH_COMMIT for an exported snapshot, else the checkout's HEAD."""
    if os.environ.get("AWN_BENCH_COMMIT"):
        return os.environ["AWN_BENCH_COMMIT"]
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
