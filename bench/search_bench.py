"""Search benchmark: `search_tickets` in-process on an `awn bench generate` data set, per kind of user.

    AWN_HOME=/tmp/awn-100k .venv/bin/python bench/search_bench.py
    AWN_HOME=/tmp/awn-pg AWN_DATABASE_URL=postgres://postgres@127.0.0.1/awn_bench_100k \\
        .venv/bin/python bench/search_bench.py [--repeat 3] [--limit 50] [--by-term]

Measure a checkout by putting its `src` first (PYTHONPATH=/path/to/checkout/src). The data set comes from
`awn bench generate` (docs/performance.md) and must be migrated to the code being measured (`awn manage
migrate`); this script only reads. Users: the admin, an agent whose team sees every
ticket, an agent of each language front line (one team each), an agent of two teams, the customer with the
most tickets, a customer of an organization that shares tickets, and a customer with a few tickets. Queries:
every word the HTTP harness searches for (awn.bench.corpus.SEARCH_TERMS, in English, Arabic and Persian),
type-ahead prefixes of them, and rare order and invoice numbers, each asked `--repeat` times by every user.

For each user: p50 / p95 / max of the wall time in ms, the CPU time of this process (all of the work on
SQLite, which runs in-process) and, on PostgreSQL, the CPU time of the database server's backend serving
this connection (its mean per query, read from /proc: the server runs on this machine), then the slowest
queries. `--by-term` adds the median per word and user: where a word is slow, and for whom.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def configure() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "awn.config.settings")
    if not os.environ.get("AWN_HOME"):
        sys.exit("Set AWN_HOME (and AWN_DATABASE_URL for PostgreSQL) to an `awn bench generate` data set.")
    import django

    django.setup()


def check_migrated() -> None:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        names = ", ".join(f"{migration.app_label}.{migration.name}" for migration, _backwards in pending[:5])
        sys.exit(f"The database lacks migrations ({names} …): run `awn manage migrate` on it first.")


def backend_cpu_ms() -> float | None:
    """CPU time so far of the PostgreSQL backend serving this connection (None on SQLite)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    pid = getattr(connection, "_awn_backend_pid", None)
    if pid is None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            (pid,) = cursor.fetchone()
        connection._awn_backend_pid = pid
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) * 1000 / CLOCK_TICKS  # utime + stime, in clock ticks


def pick_users() -> dict[str, object]:
    from django.db.models import Count

    from awn.accounts.models import Role, Team, User
    from awn.tickets.models import Ticket

    agents = list(
        User.objects.filter(role=Role.AGENT, is_active=True).prefetch_related("teams").order_by("id")
    )
    users: dict[str, object] = {
        "admin": User.objects.filter(role=Role.ADMIN, is_active=True).order_by("id")[0]
    }
    for agent in agents:
        teams = list(agent.teams.all())
        if any(team.visibility == Team.Visibility.ALL for team in teams):
            users.setdefault("agent, team sees all", agent)
        elif len(teams) == 1 and teams[0].name.lower().startswith("front line"):
            users.setdefault(f"agent, {teams[0].name}", agent)
        elif len(teams) == 2:
            users.setdefault("agent, two teams", agent)
    busiest = Ticket.objects.values("requester_id").annotate(n=Count("id")).order_by("-n", "requester_id")[0]
    users["customer, most tickets"] = User.objects.get(pk=busiest["requester_id"])
    sharing = (
        User.objects.filter(role=Role.CUSTOMER, organization__shared_tickets=True).order_by("id").first()
    )
    if sharing is not None:
        users["customer, sharing organization"] = sharing
    few = (
        Ticket.objects.values("requester_id")
        .annotate(n=Count("id"))
        .filter(n__gte=3, n__lte=10)
        .order_by("requester_id")
        .first()
    )
    if few is not None:
        users["customer, a few tickets"] = User.objects.get(pk=few["requester_id"])
    return users


def pick_queries(rng: random.Random) -> list[tuple[str, str]]:
    """(kind, query): the harness's words, prefixes of them, and rare numbers found in the data."""
    from awn.bench import corpus
    from awn.tickets.models import Message

    words = [term for terms in corpus.SEARCH_TERMS.values() for term in terms]
    queries = [("word", word) for word in words]
    single = [word for word in words if " " not in word and len(word) >= 5]
    queries += [("prefix", word[: rng.choice([3, 4])]) for word in rng.sample(single, 6)]
    last = Message.objects.order_by("-id").values_list("id", flat=True).first() or 0
    rare: list[str] = []
    for message_id in rng.sample(range(1, last + 1), min(last, 200)):
        body = Message.objects.filter(pk=message_id).values_list("body", flat=True).first() or ""
        rare += re.findall(r"(?:ORD|INV)-\d+", body)
        if len(rare) >= 6:
            break
    queries += [("rare number", number) for number in rare[:6]]
    return queries


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="times each user asks each query")
    parser.add_argument("--limit", type=int, default=50, help="results asked for (the desk asks for 50)")
    parser.add_argument("--by-term", action="store_true", help="also print the median per word and user")
    parser.add_argument("--users", default="", help="only users whose label contains this")
    args = parser.parse_args()
    configure()
    check_migrated()

    from django.db import connection

    from awn.search.selectors import search_tickets

    users = {label: user for label, user in pick_users().items() if args.users in label}
    queries = pick_queries(random.Random(7))
    print(
        f"{connection.vendor} {connection.settings_dict['NAME']}: {len(queries)} queries x {args.repeat} per "
        f"user, limit {args.limit}; load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    for user in users.values():  # warm up: connections, caches, the statements' first plans
        search_tickets(user=user, query="warmup", limit=args.limit)
        search_tickets(user=user, query=queries[0][1], limit=args.limit)
    by_term: dict[str, dict[str, list[float]]] = {}
    print(f"{'user':<34} {'p50':>7} {'p95':>7} {'max':>7}   cpu p50/p95   db cpu mean   results")
    for label, user in users.items():
        wall, cpu, db, found = [], [], [], 0
        slowest: list[tuple[float, str]] = []
        for _round in range(args.repeat):
            for _kind, query in queries:
                started, started_cpu, started_db = time.perf_counter(), time.process_time(), backend_cpu_ms()
                found += len(search_tickets(user=user, query=query, limit=args.limit))
                elapsed = (time.perf_counter() - started) * 1000
                wall.append(elapsed)
                cpu.append((time.process_time() - started_cpu) * 1000)
                if started_db is not None:
                    db.append((backend_cpu_ms() or 0.0) - started_db)
                by_term.setdefault(query, {}).setdefault(label, []).append(elapsed)
                slowest = sorted([*slowest, (elapsed, query)], reverse=True)[:3]
        # The kernel counts CPU time in clock ticks (10 ms): only the mean over many queries means something.
        db_text = f"{sum(db) / len(db):6.1f}" if db else "     –"
        print(
            f"{label:<34} {statistics.median(wall):7.1f} {percentile(wall, 0.95):7.1f} {max(wall):7.1f}"
            f"   {statistics.median(cpu):5.1f} / {percentile(cpu, 0.95):5.1f}   {db_text}"
            f"   {found / len(wall):5.1f}"
        )
        print("    slowest: " + ", ".join(f"{query!r} {ms:.0f} ms" for ms, query in slowest))
    if args.by_term:
        labels = list(users)
        print(
            "\nmedian ms per query (columns: "
            + ", ".join(f"{n}={label}" for n, label in enumerate(labels))
            + ")"
        )
        for query, per_user in by_term.items():
            cells = " ".join(f"{statistics.median(per_user.get(label, [0])):7.1f}" for label in labels)
            print(f"  {query[:20]:<20} {cells}")
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
