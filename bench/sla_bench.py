"""SLA benchmark: the breach sweep over 100k open tickets, and the due-time recompute per ticket event.

    .venv/bin/python bench/sla_bench.py --database sqlite
    .venv/bin/python bench/sla_bench.py --database postgres [--tickets 100000] [--due 100] [--events 1000]

SQLite data goes to AWN_HOME=/tmp/awn-sla-bench, PostgreSQL data to the database awn_sla_bench (created if
missing). A second run reuses the data (--regenerate starts over). The clock is fixed: NOW is a Wednesday
14:00 in Berlin, and two policies on a Berlin business calendar (Mon–Fri 09:00–17:00) apply: "Urgent"
(priority urgent: first response 1 h, next response 1 h, resolution 8 h, warning 15 min) and "Standard"
(first response 8 h, next response 4 h, periodic update 24 h, resolution 40 h, warning 60 min), all in
business hours, pausing while pending.

Generation: `--tickets` open tickets created over the last 14 days, 80 % answered, 10 % pending, assigned to
20 agents in 4 teams. Each ticket's SLA columns are what the service would have stored: the pure clock logic
(awn.sla.clocks.advance) is run over its history, up to the previous sweep one minute before NOW, as if the
sweep had run every minute. On top, `--due` urgent tickets were created 60½ minutes before NOW and are still
unanswered: their first response breaches at NOW (a very bad minute for a busy desk).

Measured:
- the sweep's query: the tickets with a warning or breach due by NOW (the sla_check_at partial index);
- the whole sweep at NOW: every due ticket locked, recomputed, its breach recorded (TicketEvent, measurement),
  notified in the desk and by email (outbox rows) to its assignee, team and managers; committed per ticket.
  Afterwards the rows it wrote are deleted and the tickets' SLA columns restored, so runs repeat;
- the recompute per event, as the event handlers run it, inside the transaction of the change (the change
  and its commit are not counted: they are the service's): an event that moves nothing (a tag or a team
  change that keeps the policy: one read, match the policy, compute), and one that moves a clock (a customer
  message starts the next-response clock: locked read, match, compute, write what changed, in a savepoint).
  The changed tickets are restored.
Prints p50/p95/mean in ms, and the sweep's plan.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

SQLITE_HOME = "/tmp/awn-sla-bench"
POSTGRES_URL = "postgres://postgres@127.0.0.1/awn_sla_bench"
NOW = datetime(2024, 6, 12, 12, 0, tzinfo=UTC)  # Wednesday 14:00 CEST
SLA_COLUMNS = [
    "sla_policy_id",
    "first_response_due_at",
    "next_response_due_at",
    "periodic_update_due_at",
    "resolution_due_at",
    "next_sla_breach_at",
    "sla_check_at",
    "sla_breached",
    "sla_state",
]


def configure(database: str, regenerate: bool) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "awn.config.settings")
    if database == "sqlite":
        os.environ["AWN_HOME"] = SQLITE_HOME
        os.environ.pop("AWN_DATABASE_URL", None)
        if regenerate:
            for suffix in ("", "-wal", "-shm"):
                Path(SQLITE_HOME, "awn.sqlite3" + suffix).unlink(missing_ok=True)
    else:
        import psycopg

        os.environ["AWN_HOME"] = SQLITE_HOME + "-pg"
        os.environ["AWN_DATABASE_URL"] = POSTGRES_URL
        with psycopg.connect("postgres://postgres@127.0.0.1/postgres", autocommit=True) as conn:
            if regenerate:
                conn.execute("DROP DATABASE IF EXISTS awn_sla_bench WITH (FORCE)")
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = 'awn_sla_bench'").fetchone():
                conn.execute("CREATE DATABASE awn_sla_bench")
    os.environ.setdefault("AWN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    Path(os.environ["AWN_HOME"]).mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import django

    django.setup()


# --- data ---------------------------------------------------------------------------------------------------


def setup_people_and_policies():
    from awn.accounts.models import Role, Team, User
    from awn.calendars.services import save_calendar
    from awn.sla.services import save_policy

    admin = User.objects.create_user(email="sla-bench@support.example", role=Role.ADMIN, name="SLA bench")
    week = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
    save_calendar(by=admin, name="Berlin", timezone="Europe/Berlin", hours=week, is_default=True)
    agents = User.objects.bulk_create(
        [User(email=f"agent{i}@support.example", name=f"Agent {i}", role=Role.AGENT) for i in range(20)]
    )
    managers = User.objects.bulk_create(
        [User(email=f"manager{i}@support.example", name=f"Manager {i}", role=Role.MANAGER) for i in range(2)]
    )
    for t in range(4):
        team = Team.objects.create(name=f"Team {t}")
        team.members.add(*agents[t * 5 : (t + 1) * 5], managers[t % 2])
    User.objects.bulk_create(
        [
            User(email=f"customer{i}@example.com", name=f"Customer {i}", role=Role.CUSTOMER)
            for i in range(2000)
        ]
    )

    def business(minutes, pauses=True):
        return {"minutes": minutes, "business_hours": True, "pauses": pauses}

    save_policy(
        by=admin,
        name="Urgent",
        conditions={"priorities": [4]},
        warning_minutes=15,
        targets={
            "first_response": business(60, False),
            "next_response": business(60),
            "resolution": business(8 * 60),
        },
    )
    save_policy(
        by=admin,
        name="Standard",
        warning_minutes=60,
        targets={
            "first_response": business(8 * 60, False),
            "next_response": business(4 * 60),
            "periodic_update": business(24 * 60),
            "resolution": business(40 * 60),
        },
    )


def history(
    rng: random.Random,
    *,
    created: datetime,
    priority: int,
    answered: bool,
    pending: bool,
    team_id: int,
    assignee_id: int,
    requester_id: int,
):
    """A ticket row whose SLA columns are what the service stored after its events and the last sweep."""
    from awn.sla import clocks
    from awn.sla.policies import Subject, first_match
    from awn.sla.services import DUE_FIELDS, _next_target
    from awn.tickets.models import Ticket

    subject = Subject(
        priority=priority,
        channel="email",
        organization_id=None,
        team_id=team_id,
        read_tier=lambda: 1,
        read_plan=lambda: "",
        read_tags=lambda: (),
    )
    policy = first_match(subject)
    assert policy is not None
    spec = policy.clocks()
    facts = clocks.TicketFacts(
        status="new", created_at=created, updated_at=created, last_customer_message_at=created
    )
    outcome = clocks.advance({}, facts, spec, created)
    breached = outcome.breached
    status, first_response = "open", None
    updated = created
    if answered:
        first_response = min(created + timedelta(minutes=rng.randint(5, 8 * 60)), NOW - timedelta(minutes=2))
        status = "pending" if pending else "open"
        updated = first_response
        facts = clocks.TicketFacts(
            status=status,
            created_at=created,
            updated_at=updated,
            first_response_at=first_response,
            last_customer_message_at=created,
            last_agent_message_at=first_response,
        )
        outcome = clocks.advance(outcome.state, facts, spec, first_response)
        breached = breached or outcome.breached
    outcome = clocks.advance(outcome.state, facts, spec, NOW - timedelta(minutes=1))
    breached = breached or outcome.breached
    outcome.state["next"] = _next_target(outcome)
    outcome.state["paused"] = sorted(outcome.paused)
    due = {field: outcome.due[target] for target, field in DUE_FIELDS.items()}
    return Ticket(
        subject="Printer on fire",
        status=status,
        priority=priority,
        channel="email",
        requester_id=requester_id,
        team_id=team_id,
        assignee_id=assignee_id,
        created_at=created,
        updated_at=updated,
        first_response_at=first_response,
        last_customer_message_at=created,
        last_agent_message_at=first_response,
        message_count=2 if answered else 1,
        sla_policy_id=policy.id,
        next_sla_breach_at=outcome.next_breach_at,
        sla_check_at=outcome.check_at,
        sla_breached=breached,
        sla_state=outcome.state,
        **due,
    )


def generate(count: int, due: int, rng: random.Random) -> None:
    from django.db import transaction

    from awn.accounts.models import Role, Team, User
    from awn.tickets.models import Ticket

    started = time.monotonic()
    setup_people_and_policies()
    teams = {
        team.pk: list(team.members.filter(role=Role.AGENT).values_list("pk", flat=True))
        for team in Team.objects.all()
    }
    customers = list(User.objects.filter(role=Role.CUSTOMER).values_list("pk", flat=True))
    rows = []

    def flush() -> None:
        with transaction.atomic():
            Ticket.objects.bulk_create(rows, batch_size=1000)
        rows.clear()

    for index in range(count):
        team_id = rng.choice(list(teams))
        rows.append(
            history(
                rng,
                created=NOW - timedelta(minutes=rng.randint(2, 14 * 24 * 60)),
                priority=4 if rng.random() < 0.05 else rng.choice((1, 2, 2, 3)),
                answered=rng.random() < 0.8,
                pending=rng.random() < 0.125,
                team_id=team_id,
                assignee_id=rng.choice(teams[team_id]),
                requester_id=rng.choice(customers),
            )
        )
        if len(rows) == 5000:
            flush()
            print(f"  {index + 1}/{count} tickets", flush=True)
    for _ in range(due):
        team_id = rng.choice(list(teams))
        rows.append(
            history(
                rng,
                created=NOW - timedelta(minutes=60, seconds=30),
                priority=4,
                answered=False,
                pending=False,
                team_id=team_id,
                assignee_id=rng.choice(teams[team_id]),
                requester_id=rng.choice(customers),
            )
        )
    flush()
    print(f"generated {count} + {due} tickets in {time.monotonic() - started:.0f} s")


# --- measurements -------------------------------------------------------------------------------------------


class Timings:
    """Wall time and this process's CPU time of each call (the CPU time holds on a busy machine; on SQLite it
    includes the database's work, on PostgreSQL the server's share is only in the wall time)."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def __call__(self, call):
        wall, cpu = time.perf_counter(), time.process_time()
        result = call()
        self.wall.append((time.perf_counter() - wall) * 1000)
        self.cpu.append((time.process_time() - cpu) * 1000)
        return result


def report(name: str, timings: Timings) -> None:
    def stats(values: list[float]) -> str:
        ordered = sorted(values)
        p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
        return (
            f"p50={statistics.median(ordered):8.2f}  p95={p95:8.2f}  mean={statistics.fmean(ordered):8.2f} ms"
        )

    print(f"{name:<44} n={len(timings.wall):<5} wall {stats(timings.wall)}")
    print(f"{'':<52} cpu  {stats(timings.cpu)}")


def snapshot(ids: list[int]) -> dict[int, dict]:
    from awn.tickets.models import Ticket

    columns = [*SLA_COLUMNS, "last_customer_message_at", "updated_at"]
    return {row["id"]: row for row in Ticket.objects.filter(pk__in=ids).values("id", *columns)}


def restore(saved: dict[int, dict]) -> None:
    from django.db import transaction

    from awn.tickets.models import Ticket

    with transaction.atomic():
        for pk, values in saved.items():
            Ticket.objects.filter(pk=pk).update(**{k: v for k, v in values.items() if k != "id"})


def measure_sweep(repeats: int) -> None:
    from django.db import connection

    from awn.automation.models import Notification
    from awn.outbox.models import OutboxItem
    from awn.sla.models import SLAMeasurement
    from awn.sla.services import due_for_check, sweep
    from awn.tickets.models import Ticket, TicketEvent

    open_count = Ticket.objects.unsolved().count()
    due_ids = due_for_check(now=NOW, limit=10**6)
    print(
        f"{connection.vendor}: {open_count} open tickets, {len(due_ids)} with a warning or breach due at NOW"
    )
    query = Ticket.objects.filter(sla_check_at__lte=NOW).order_by("sla_check_at", "id").values("pk")[:200]
    print("plan of the sweep's query:", " | ".join(query.explain().splitlines()))
    query_times = Timings()
    for _ in range(repeats):
        query_times(lambda: due_for_check(now=NOW))
    report("sweep query (due tickets, limit 200)", query_times)

    marks = {
        model: (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)
        for model in (TicketEvent, Notification, OutboxItem, SLAMeasurement)
    }
    saved = snapshot(due_ids)
    # A running installation has the report facts of every ticket (written when it was created); the bulk
    # generator wrote none, so give the due tickets theirs, for the breach handler to find.
    from django.db import transaction

    from awn.reports.facts import record_ticket_facts

    with transaction.atomic():
        for pk in due_ids:
            record_ticket_facts(pk)
    runs = Timings()
    for _ in range(3):
        result = runs(lambda: sweep(now=NOW))
        written = {model.__name__: model.objects.filter(pk__gt=mark).count() for model, mark in marks.items()}
        for model, mark in marks.items():
            model.objects.filter(pk__gt=mark).delete()
        restore(saved)
    print(f"  sweep fired {result.warnings} warnings and {result.breaches} breaches; wrote {written}")
    report(f"whole sweep over {open_count} open tickets", runs)
    # The share of other apps' in-transaction reactions to sla.breached (the reports' facts): the same sweep
    # with them detached, for this measurement only.
    from awn.core.events import IN_TRANSACTION_HANDLERS

    detached = IN_TRANSACTION_HANDLERS.pop("sla.breached", [])
    alone = Timings()
    try:
        for _ in range(3):
            alone(lambda: sweep(now=NOW))
            for model, mark in marks.items():
                model.objects.filter(pk__gt=mark).delete()
            restore(saved)
    finally:
        IN_TRANSACTION_HANDLERS["sla.breached"] = detached
    report("  the same without other apps' sla.breached handlers", alone)
    if result.breaches:
        print(
            f"  per breached ticket: {statistics.median(runs.wall) / result.breaches:.2f} ms wall, "
            f"{statistics.median(runs.cpu) / result.breaches:.2f} ms cpu"
        )


def measure_events(count: int, rng: random.Random) -> None:
    from django.db import transaction

    from awn.sla.services import evaluate, recompute_ticket_sla
    from awn.tickets.models import Ticket

    answered = list(
        Ticket.objects.filter(
            status="open", first_response_at__isnull=False, sla_check_at__gt=NOW
        ).values_list("pk", flat=True)[: count * 5]
    )
    ids = rng.sample(answered, min(count, len(answered)))
    saved = snapshot(ids)

    def timed(change=None, read_first=True) -> Timings:
        """The handler's share of each event: it runs inside the transaction of the change (untimed), whose
        commit belongs to the change and is not counted."""
        times = Timings()
        for pk in ids:
            with transaction.atomic():
                if change:
                    change(pk)
                times(lambda pk=pk: recompute_ticket_sla(pk, now=NOW, read_first=read_first))
        return times

    timed()  # warm: compiled policies, schedules, connection
    report("recompute, event that moves nothing", timed())

    def customer_writes(pk: int) -> None:
        Ticket.objects.filter(pk=pk).update(last_customer_message_at=NOW, updated_at=NOW)

    # As the handler of "ticket.message_added" runs it: straight to the locked read (a message moves clocks).
    report("recompute, customer message (next response)", timed(customer_writes, read_first=False))
    restore(saved)

    tickets = list(Ticket.objects.select_related("team", "requester").filter(pk__in=ids[:200]))
    pure = Timings()
    for ticket in tickets:
        pure(lambda ticket=ticket: evaluate(ticket, now=NOW))
    report("pure clocks: match + advance (no database)", pure)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=100, help="urgent tickets breaching at NOW")
    parser.add_argument("--events", type=int, default=1000, help="timed recomputes of each kind")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    configure(args.database, args.regenerate)
    from django.core.management import call_command

    from awn.tickets.models import Ticket

    call_command("migrate", verbosity=0)
    rng = random.Random(args.seed)
    if not Ticket.objects.exists():
        generate(args.tickets, args.due, rng)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print("load average at start: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    measure_sweep(repeats=50)
    measure_events(args.events, rng)
    print("load average at end: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
