"""Search benchmark: generate tickets in a database of its own, rebuild the index, time searches.

    .venv/bin/python bench/search_bench.py --database sqlite --tickets 200000
    .venv/bin/python bench/search_bench.py --database postgres --tickets 200000

SQLite data goes to AWN_HOME=/tmp/awn-search-bench, PostgreSQL data to the database awn_search_bench
(created if missing). A second run reuses the data (--regenerate starts over, --reindex rebuilds the index).
The data is written with bulk_create, not through the ticket services: it is benchmark data, generated a
hundred times faster that way, and the index is then built by `rebuild_index`, which is what a bulk import
or a restore does too. Prints p50/p95/max of `search_tickets` as an admin, as an agent of one team (out of
8) and as a customer, overall and per kind of query.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import string
import sys
import time
from datetime import timedelta
from pathlib import Path

SQLITE_HOME = "/tmp/awn-search-bench"
POSTGRES_URL = "postgres://postgres@127.0.0.1/awn_search_bench"
TEAMS = 8
AGENTS = 50
CUSTOMERS = 20_000


def configure(database: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "awn.config.settings")
    if database == "sqlite":
        os.environ["AWN_HOME"] = SQLITE_HOME
        os.environ.pop("AWN_DATABASE_URL", None)
    else:
        import psycopg

        os.environ["AWN_HOME"] = SQLITE_HOME + "-pg"
        os.environ["AWN_DATABASE_URL"] = POSTGRES_URL
        with psycopg.connect("postgres://postgres@127.0.0.1/postgres", autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = 'awn_search_bench'").fetchone():
                conn.execute("CREATE DATABASE awn_search_bench")
    Path(os.environ["AWN_HOME"]).mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import django

    django.setup()


class _Slots(dict):
    """Fills {order}, {invoice}, {serial} with fresh numbers: the rare terms a real search looks for."""

    def __init__(self, rng: random.Random, lang: str, values: dict):
        super().__init__(values)
        self.rng, self.lang = rng, lang

    def __missing__(self, key: str) -> str:
        rng = self.rng
        if key in self.get("_slots", {}):
            return rng.choice(self["_slots"][key])
        if key == "order":
            return str(rng.randint(100_000, 9_999_999))
        if key == "invoice":
            return f"INV-{rng.randint(2023, 2025)}-{rng.randint(10_000, 99_999)}"
        if key == "serial":
            return "SN" + "".join(rng.choices(string.ascii_uppercase + string.digits, k=8))
        return key


def generate(tickets: int, messages_per_ticket: int, seed: int = 7) -> None:
    from django.db import transaction

    from awn.accounts.models import Role, Team, User
    from awn.bench import corpus
    from awn.core import clock
    from awn.tickets.models import Channel, Message, Status, Ticket

    rng = random.Random(seed)
    now = clock.now()
    started = time.monotonic()
    with transaction.atomic():
        teams = [Team.objects.create(name=f"Bench team {n}") for n in range(TEAMS)]
        agents = User.objects.bulk_create(
            User(email=f"agent{n}@bench.example", name=f"Agent {n}", role=Role.AGENT, password="!")
            for n in range(AGENTS)
        )
        for n, agent in enumerate(agents):
            teams[n % TEAMS].members.add(agent)
        User.objects.create(email="admin@bench.example", name="Admin", role=Role.ADMIN, password="!")
        customers = User.objects.bulk_create(
            User(email=f"customer{n}@bench.example", name=f"Customer {n}", role=Role.CUSTOMER, password="!")
            for n in range(CUSTOMERS)
        )
    # A year of tickets in date order, as an import from another helpdesk would arrive.
    offsets = sorted(rng.uniform(0, 365 * 86400) for _ in range(tickets))
    batch = 2000
    for start in range(0, tickets, batch):
        rows, bodies = [], []
        for offset in offsets[start : start + batch]:
            lang = rng.choices(corpus.LANGUAGES, corpus.LANGUAGE_WEIGHTS)[0]
            topic = rng.choices(list(corpus.TOPICS), corpus.TOPIC_WEIGHTS)[0]
            requester = rng.choice(customers)
            slots = _Slots(rng, lang, {"_slots": corpus.SLOTS[lang], "name": requester.name, "first": "Sam"})
            created = now - timedelta(seconds=365 * 86400 - offset)
            rows.append(
                Ticket(
                    subject=rng.choice(corpus.SUBJECTS[lang][topic]).format_map(slots)[:255],
                    status=rng.choice([Status.OPEN, Status.PENDING, Status.SOLVED, Status.CLOSED]),
                    channel=rng.choice(Channel.values),
                    requester=requester,
                    team=teams[rng.randrange(TEAMS)] if rng.random() > 0.1 else None,
                    assignee=rng.choice(agents) if rng.random() > 0.3 else None,
                    language=lang,
                    created_at=created,
                    updated_at=created + timedelta(hours=messages_per_ticket),
                    message_count=messages_per_ticket,
                )
            )
            thread = [
                (
                    False,
                    " ".join(
                        [
                            rng.choice(corpus.OPENINGS[lang]),
                            rng.choice(corpus.PROBLEMS[lang][topic]),
                            rng.choice(corpus.DETAILS[lang]),
                            rng.choice(corpus.CLOSINGS[lang]),
                        ]
                    ),
                )
            ]
            for _ in range(messages_per_ticket - 1):
                if rng.random() < 0.2:
                    thread.append((True, rng.choice(corpus.NOTES[lang])))
                else:
                    thread.append(
                        (
                            False,
                            " ".join(
                                [
                                    rng.choice(corpus.AGENT_GREETINGS[lang]),
                                    rng.choice(corpus.AGENT_ANSWERS[lang]),
                                    rng.choice(corpus.AGENT_SIGNATURES[lang]),
                                ]
                            ),
                        )
                    )
            bodies.append([(internal, text.format_map(slots)) for internal, text in thread])
        with transaction.atomic():
            made = Ticket.objects.bulk_create(rows)
            Message.objects.bulk_create(
                Message(
                    ticket=ticket,
                    author=ticket.requester if n == 0 else ticket.assignee,
                    internal=internal,
                    body=body,
                    html="",
                    channel=ticket.channel,
                    created_at=ticket.created_at + timedelta(hours=n),
                )
                for ticket, thread in zip(made, bodies, strict=True)
                for n, (internal, body) in enumerate(thread)
            )
        done = start + len(rows)
        if done % 20_000 == 0 or done == tickets:
            rate = done / (time.monotonic() - started)
            print(f"  generated {done}/{tickets} tickets ({rate:.0f}/s)", flush=True)


def queries(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """(kind, query) pairs: common words, two words, type-ahead prefixes, rare numbers, ticket numbers."""
    from awn.bench import corpus
    from awn.tickets.models import Message, Ticket

    common = [term for terms in corpus.SEARCH_TERMS.values() for term in terms]
    last_id = Ticket.objects.order_by("-id").values_list("id", flat=True).first()
    rare = []
    for ticket_id in rng.sample(range(1, last_id + 1), 40):
        subject = Ticket.objects.filter(pk=ticket_id).values_list("subject", flat=True).first() or ""
        body = Message.objects.filter(ticket_id=ticket_id).values_list("body", flat=True).first() or ""
        numbers = [word for word in (subject + " " + body).split() if any(ch.isdigit() for ch in word)]
        if numbers:
            rare.append(numbers[0].strip(".,:;؟?"))
    kinds = {
        "common word": lambda: rng.choice(common),
        "two words": lambda: f"{rng.choice(common).split()[0]} {rng.choice(common).split()[-1]}",
        "type-ahead": lambda: rng.choice([w for w in common if len(w) >= 5])[: rng.choice([3, 4, 5])],
        "rare number": lambda: rng.choice(rare) if rare else "12345",
        "ticket number": lambda: f"#{rng.randint(1, last_id)}",
    }
    weights = {"common word": 40, "two words": 20, "type-ahead": 20, "rare number": 15, "ticket number": 5}
    picked = rng.choices(list(kinds), [weights[kind] for kind in kinds], k=count)
    return [(kind, kinds[kind]()) for kind in picked]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def time_searches(user, label: str, plan: list[tuple[str, str]]) -> None:
    from awn.search.selectors import search_tickets

    by_kind: dict[str, list[float]] = {}
    slowest: list[tuple[float, str]] = []
    cpu: list[float] = []
    found = 0
    for kind, query in plan:
        started, started_cpu = time.perf_counter(), time.process_time()
        found += len(search_tickets(user=user, query=query, limit=25))
        elapsed = (time.perf_counter() - started) * 1000
        cpu.append((time.process_time() - started_cpu) * 1000)
        by_kind.setdefault(kind, []).append(elapsed)
        slowest = sorted([*slowest, (elapsed, query)], reverse=True)[:3]
    every = [ms for values in by_kind.values() for ms in values]
    print(
        f"{label:<22} n={len(every)} p50={statistics.median(every):6.1f} ms"
        f"  p95={percentile(every, 0.95):6.1f} ms"
        f"  max={max(every):6.1f} ms  (avg {found / len(every):.1f} results)"
    )
    # CPU time of this process: all the work on SQLite, which runs in-process, so roughly the latency on an
    # idle machine; on PostgreSQL only the Python side (the server's share is not counted).
    print(f"    cpu in this process: p50={statistics.median(cpu):6.1f}  p95={percentile(cpu, 0.95):6.1f}")
    for kind, values in by_kind.items():
        print(
            f"    {kind:<16} n={len(values):<4} p50={statistics.median(values):6.1f}  "
            f"p95={percentile(values, 0.95):6.1f}  max={max(values):6.1f}"
        )
    print("    slowest: " + ", ".join(f"{query!r} {ms:.0f} ms" for ms, query in slowest))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--tickets", type=int, default=200_000)
    parser.add_argument("--messages-per-ticket", type=int, default=3)
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--regenerate", action="store_true", help="drop the data and generate it again")
    parser.add_argument("--reindex", action="store_true", help="rebuild the index even if it exists")
    args = parser.parse_args()
    if args.regenerate and args.database == "sqlite":
        for path in Path(SQLITE_HOME).glob("awn.sqlite3*"):
            path.unlink()
    configure(args.database)

    from django.core.management import call_command
    from django.db import connection

    from awn.accounts.models import Role, Team, User
    from awn.search.indexing import rebuild_index
    from awn.search.models import SearchDocument
    from awn.tickets.models import Ticket

    if args.regenerate and args.database == "postgres":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}, load average {os.getloadavg()}")
    if not Ticket.objects.exists():
        print(f"generating {args.tickets} tickets x {args.messages_per_ticket} messages ...", flush=True)
        generate(args.tickets, args.messages_per_ticket)
        args.reindex = True
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # what autovacuum does a little later on a live database
    if args.reindex or not SearchDocument.objects.exists():
        started = time.monotonic()
        last = [0.0]

        def progress(done: int, total: int) -> None:
            if time.monotonic() - last[0] > 15 or done == total:
                last[0] = time.monotonic()
                rate = done / (time.monotonic() - started)
                print(f"  indexed {done}/{total} ({rate:.0f} documents/s)", flush=True)

        total = rebuild_index(batch_size=args.batch_size, progress=progress)
        print(f"rebuild_index: {total} documents in {time.monotonic() - started:.1f} s")
    print(f"tickets: {Ticket.objects.count()}, search documents: {SearchDocument.objects.count()}")

    admin = User.objects.get(email="admin@bench.example")
    team = Team.objects.filter(name="Bench team 0").get()
    agent = team.members.filter(role=Role.AGENT).first()
    customer = Ticket.objects.filter(pk=Ticket.objects.order_by("-id").values("id")[:1]).get().requester
    plan = queries(random.Random(11), args.searches)
    for query in ("warmup", "invoice", "فاتورة", "چاپگر"):  # open files, fill caches
        from awn.search.selectors import search_tickets

        search_tickets(user=admin, query=query)
    time_searches(admin, "admin (sees all)", plan)
    time_searches(agent, "agent (1 of 8 teams)", plan)
    time_searches(customer, "customer (own tickets)", plan[: max(20, args.searches // 4)])


if __name__ == "__main__":
    main()
