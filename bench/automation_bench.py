"""Automation benchmark: rule evaluation per event with hundreds of rules; the time sweep over 1M tickets.

    .venv/bin/python bench/automation_bench.py --database sqlite --tickets 1000000
    .venv/bin/python bench/automation_bench.py --database postgres --tickets 1000000

Data: a year of tickets in a database of its own (SQLite under AWN_HOME=/tmp/awn-automation-bench, or the
PostgreSQL database awn_automation_bench, created if missing), written with bulk_create (benchmark data, not a
replay through the services). Statuses follow age as in a helpdesk whose automations have been running:
old tickets closed, recent ones open, pending, solved, on hold or new. A second run reuses the data
(--regenerate starts over).

1. Rule evaluation per event: N active "ticket created" rules (--rules, default 200 and 500) of the shapes
   admins write (subject/body contains, channel, plan, tags, priority, language, organization, team),
   about 1 % of which match a given ticket. Timed per ticket: evaluation alone (load the ticket and test every
   rule) and the whole trigger run (evaluation, then firing the matching rules in their transaction).
2. The sweep: five time-based rules (pending reminder at 72 h, solve pending at 7 days, close solved after
   4 days, escalate new unassigned after 1 h, nudge on-hold after 48 h). Steady state is set up by recording
   every rule as already fired for the tickets that were due before (what earlier sweeps leave behind), except
   for --due tickets that came due since the last sweep. Timed: the sweep that fires those, and a sweep with
   nothing due.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

SQLITE_HOME = "/tmp/awn-automation-bench"
POSTGRES_URL = "postgres://postgres@127.0.0.1/awn_automation_bench"
TEAMS = 8
AGENTS = 40
CUSTOMERS = 5000


def configure(database: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "awn.config.settings")
    os.environ.pop("PYTEST_VERSION", None)
    if database == "sqlite":
        os.environ["AWN_HOME"] = SQLITE_HOME
        os.environ.pop("AWN_DATABASE_URL", None)
    else:
        import psycopg

        os.environ["AWN_HOME"] = SQLITE_HOME + "-pg"
        os.environ["AWN_DATABASE_URL"] = POSTGRES_URL
        with psycopg.connect("postgres://postgres@127.0.0.1/postgres", autocommit=True) as conn:
            if not conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = 'awn_automation_bench'"
            ).fetchone():
                conn.execute("CREATE DATABASE awn_automation_bench")
    Path(os.environ["AWN_HOME"]).mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def status_for(rng: random.Random, age_days: float) -> str:
    if age_days > 30:
        weights = {"closed": 97, "solved": 0.5, "open": 1, "pending": 0.5, "on_hold": 1}
    elif age_days > 7:
        weights = {"closed": 75, "solved": 3, "open": 10, "pending": 4, "on_hold": 8}
    else:
        weights = {"closed": 25, "solved": 20, "open": 25, "pending": 15, "new": 5, "on_hold": 10}
    return rng.choices(list(weights), list(weights.values()))[0]


def generate(tickets: int, seed: int = 11) -> None:
    from django.db import transaction

    from awn.accounts.models import Organization, Role, Team, User
    from awn.core import clock
    from awn.tickets.models import Channel, Priority, Ticket

    rng = random.Random(seed)
    now = clock.now()
    started = time.monotonic()
    with transaction.atomic():
        teams = [Team.objects.create(name=f"Bench team {n}", tier=1 + n % 3) for n in range(TEAMS)]
        agents = User.objects.bulk_create(
            User(email=f"agent{n}@bench.example", name=f"Agent {n}", role=Role.AGENT, password="!")
            for n in range(AGENTS)
        )
        for n, agent in enumerate(agents):
            teams[n % TEAMS].members.add(agent)
        orgs = Organization.objects.bulk_create(Organization(name=f"Org {n}") for n in range(50))
        customers = User.objects.bulk_create(
            User(
                email=f"customer{n}@bench.example",
                name=f"Customer {n}",
                role=Role.CUSTOMER,
                password="!",
                plan=rng.choice(["free", "free", "pro", "enterprise"]),
                organization=rng.choice(orgs),
                language=rng.choice(["en", "ar", "fa"]),
            )
            for n in range(CUSTOMERS)
        )
        User.objects.create(email="admin@bench.example", name="Admin", role=Role.ADMIN, password="!")
    subjects = [
        "Printer on fire",
        "Refund for invoice",
        "Cannot log in",
        "Shipping delay",
        "مشکل در پرداخت",
        "لا أستطيع تسجيل الدخول",
        "Feature request: dark mode",
        "VPN keeps disconnecting",
    ]
    batch = 5000
    for start in range(0, tickets, batch):
        rows = []
        for _ in range(min(batch, tickets - start)):
            age = rng.uniform(0, 365)
            created = now - timedelta(days=age)
            status = status_for(rng, age)
            updated = created + timedelta(hours=rng.uniform(0, min(age * 24, 120)))
            requester = rng.choice(customers)
            assigned = status != "new" and rng.random() < 0.9
            rows.append(
                Ticket(
                    subject=rng.choice(subjects),
                    status=status,
                    channel=rng.choice(Channel.values),
                    priority=rng.choice(Priority.values),
                    requester=requester,
                    organization_id=requester.organization_id,
                    team=rng.choice(teams),
                    assignee=rng.choice(agents) if assigned else None,
                    language=requester.language,
                    created_at=created,
                    updated_at=updated,
                    last_customer_message_at=created,
                    last_agent_message_at=updated
                    if status in ("pending", "solved", "on_hold", "closed")
                    else None,
                    message_count=2,
                )
            )
        with transaction.atomic():
            Ticket.objects.bulk_create(rows)
        if (start // batch) % 20 == 0:
            print(f"  {start + len(rows):,} tickets, {time.monotonic() - started:.0f} s", flush=True)
    print(f"generated {tickets:,} tickets in {time.monotonic() - started:.0f} s")


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"p50 {p50 * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms, max {ordered[-1] * 1000:.2f} ms"


def trigger_rules(count: int, rng: random.Random) -> list[tuple[dict, list]]:
    """`count` rules of realistic shapes; each matches rarely (two or three conditions, specific values)."""
    from awn.accounts.models import Organization, Team

    team_ids = list(Team.objects.values_list("pk", flat=True))
    org_ids = list(Organization.objects.values_list("pk", flat=True))
    words = [
        "refund",
        "invoice",
        "password",
        "dark mode",
        "vpn",
        "printer",
        "shipping",
        "پرداخت",
        "الدخول",
        "crash",
        "gdpr",
        "urgent",
        "cancel",
        "upgrade",
        "api",
        "sso",
        "2fa",
        "export",
        "import",
        "billing",
    ]
    rules = []
    for n in range(count):
        shape = n % 8
        if shape == 0:
            conditions = {
                "all": [{"field": "subject", "op": "contains", "value": f"{rng.choice(words)} {n}"}]
            }
        elif shape == 1:
            conditions = {
                "all": [
                    {"field": "channel", "op": "is", "value": "chat"},
                    {"field": "text", "op": "contains", "value": f"{rng.choice(words)}-{n}"},
                ]
            }
        elif shape == 2:
            conditions = {
                "all": [
                    {"field": "plan", "op": "is", "value": "enterprise"},
                    {"field": "organization", "op": "is", "value": rng.choice(org_ids)},
                    {"field": "priority", "op": "gte", "value": 4},
                ]
            }
        elif shape == 3:
            conditions = {"all": [{"field": "tags", "op": "includes_any", "value": [f"tag{n}", f"other{n}"]}]}
        elif shape == 4:
            conditions = {
                "all": [
                    {"field": "language", "op": "is", "value": rng.choice(["ar", "fa"])},
                    {"field": "subject", "op": "matches", "value": rf"\b{rng.choice(words)}\b{n}"},
                ]
            }
        elif shape == 5:
            conditions = {
                "all": [
                    {
                        "field": "requester_domain",
                        "op": "in",
                        "value": [f"client{n}.example", f"partner{n}.example"],
                    }
                ]
            }
        elif shape == 6:
            conditions = {
                "all": [
                    {"field": "team", "op": "is", "value": rng.choice(team_ids)},
                    {"field": "body", "op": "contains", "value": f"error code {n}"},
                ]
            }
        else:
            conditions = {
                "any": [
                    {"field": "subject", "op": "starts_with", "value": f"[{n}]"},
                    {"field": "requester", "op": "is", "value": f"vip{n}@bench.example"},
                ]
            }
        rules.append((conditions, [{"type": "add_tags", "tags": [f"rule{n}"]}]))
    # About 1 % of tickets match something: two broad rules on the subject.
    rules[0] = (
        {
            "all": [
                {"field": "subject", "op": "contains", "value": "dark mode"},
                {"field": "priority", "op": "is", "value": 4},
            ]
        },
        [{"type": "add_tags", "tags": ["idea"]}],
    )
    rules[1] = (
        {
            "all": [
                {"field": "subject", "op": "contains", "value": "vpn"},
                {"field": "channel", "op": "is", "value": "email"},
                {"field": "priority", "op": "is", "value": 1},
            ]
        },
        [{"type": "set_priority", "priority": "high"}],
    )
    return rules


def bench_rules(count: int, samples: int) -> None:
    from django.db import transaction

    from awn.accounts.models import User
    from awn.automation import services
    from awn.automation.conditions import Facts
    from awn.automation.engine import _load, rulebook, run_triggers
    from awn.automation.models import Rule, RuleSet
    from awn.tickets.models import Ticket

    rng = random.Random(count)
    admin = User.objects.get(email="admin@bench.example")
    with transaction.atomic():
        RuleSet.objects.filter(name__startswith="Bench").delete()
        rule_set = services.save_rule_set(by=admin, name=f"Bench {count}", mode="all_matching")
        Rule.objects.bulk_create(
            Rule(
                rule_set=rule_set,
                name=f"rule {n}",
                position=n,
                event="created",
                conditions=conditions,
                actions=actions,
            )
            for n, (conditions, actions) in enumerate(trigger_rules(count, rng))
        )
        services.rules_changed()
    started = time.perf_counter()
    book = rulebook()
    filed = book.event("created")
    compile_seconds = time.perf_counter() - started
    assert filed is not None
    ids = list(
        Ticket.objects.filter(status__in=["new", "open"])
        .order_by("-id")
        .values_list("pk", flat=True)[: samples * 2]
    )
    rng.shuffle(ids)

    def evaluate_one(pk: int) -> int:
        """What run_triggers does before firing: the one read, then the rules worth testing."""
        ticket = _load(pk, with_body=filed.reads_body, with_tags=filed.reads_tags)
        facts = Facts(ticket, trigger="created")
        return sum(1 for p in filed.candidates(facts) if filed.rules[p].conditions.test(facts))

    for pk in ids[:20]:
        evaluate_one(pk)  # warm: the compiled reads, the connection
    evaluate, evaluate_cpu, full, full_cpu = [], [], [], []
    fired = 0
    for pk in ids[:samples]:
        started, cpu = time.perf_counter(), time.process_time()
        fired += evaluate_one(pk)
        evaluate.append(time.perf_counter() - started)
        evaluate_cpu.append(time.process_time() - cpu)
    # Where the time goes: the read (ticket, requester, tier, message text, tags in one query) and the rules.
    loads, tests, tested = [], [], []
    for pk in ids[:samples]:
        started = time.perf_counter()
        ticket = _load(pk, with_body=filed.reads_body, with_tags=filed.reads_tags)
        loaded = time.perf_counter()
        facts = Facts(ticket, trigger="created")
        candidates = filed.candidates(facts)
        for position in candidates:
            filed.rules[position].conditions.test(facts)
        loads.append(loaded - started)
        tests.append(time.perf_counter() - loaded)
        tested.append(len(candidates))
    for pk in ids[samples : samples * 2]:
        started, cpu = time.perf_counter(), time.process_time()
        run_triggers(pk, "created")
        full.append(time.perf_counter() - started)
        full_cpu.append(time.process_time() - cpu)
    print(f"{count} active rules (compiled in {compile_seconds * 1000:.0f} ms, {book.count} rules):")
    print(f"  evaluation per event (read the ticket + test the rules): {percentiles(evaluate)}")
    print(f"    cpu: {percentiles(evaluate_cpu)}")
    print(f"  whole trigger run per event (evaluate + fire matches): {percentiles(full)}")
    print(f"    cpu: {percentiles(full_cpu)}")
    print(
        f"  of which: the read {statistics.median(loads) * 1000:.2f} ms, "
        f"testing the rules {statistics.median(tests) * 1000:.2f} ms (p50; "
        f"{statistics.median(tested):.0f} of {count} rules worth testing per ticket)"
    )
    print(f"  {fired} matches over {samples} tickets")
    RuleSet.objects.filter(pk=rule_set.pk).delete()
    services.rules_changed()


TIME_RULES = [
    (
        "Pending",
        "first_match",
        [
            (
                "Solve pending after 7 days",
                {
                    "all": [
                        {"field": "status", "op": "is", "value": "pending"},
                        {"field": "hours_since_agent_message", "op": "gte", "value": 168},
                    ]
                },
                [{"type": "set_status", "status": "solved"}],
            ),
            (
                "Remind pending after 72 hours",
                {
                    "all": [
                        {"field": "status", "op": "is", "value": "pending"},
                        {"field": "hours_since_agent_message", "op": "gte", "value": 72},
                    ]
                },
                [{"type": "add_tags", "tags": ["reminded"]}],
            ),
        ],
    ),
    (
        "Housekeeping",
        "all_matching",
        [
            (
                "Close solved after 4 days",
                {
                    "all": [
                        {"field": "status", "op": "is", "value": "solved"},
                        {"field": "hours_since_updated", "op": "gte", "value": 96},
                    ]
                },
                [{"type": "set_status", "status": "closed"}],
            ),
            (
                "Escalate new unassigned after 1 hour",
                {
                    "all": [
                        {"field": "status", "op": "is", "value": "new"},
                        {"field": "assignee", "op": "is_not_set"},
                        {"field": "hours_since_created", "op": "gte", "value": 1},
                    ]
                },
                [{"type": "add_tags", "tags": ["stale"]}],
            ),
            (
                "Nudge on hold after 48 hours",
                {
                    "all": [
                        {"field": "status", "op": "is", "value": "on_hold"},
                        {"field": "hours_since_updated", "op": "gte", "value": 48},
                    ]
                },
                [{"type": "add_tags", "tags": ["nudge"]}],
            ),
        ],
    ),
]


def bench_sweep(due: int) -> None:
    from django.db import connection, transaction
    from django.db.models import Exists, OuterRef

    from awn.accounts.models import User
    from awn.automation import services
    from awn.automation.engine import OPEN_FOR_TIME_RULES, rulebook, sweep
    from awn.automation.models import RuleRun, RuleSet
    from awn.core import clock
    from awn.tickets.models import Ticket

    admin = User.objects.get(email="admin@bench.example")
    RuleSet.objects.filter(name__in=[name for name, _mode, _rules in TIME_RULES]).delete()
    for name, mode, rules in TIME_RULES:
        rule_set = services.save_rule_set(by=admin, name=name, mode=mode)
        for rule_name, conditions, actions in rules:
            services.save_rule(
                by=admin,
                rule_set=rule_set,
                name=rule_name,
                event="time",
                conditions=conditions,
                actions=actions,
            )
    now = clock.now()
    # Steady state: earlier sweeps fired every rule for the tickets that were due, except `due` of them.
    started = time.monotonic()
    leave = due
    for _set_id, _first, rules in rulebook().groups("time"):
        for rule in rules:
            column = rule.anchor_column
            rows = list(
                Ticket.objects.filter(status__in=OPEN_FOR_TIME_RULES)
                .filter(rule.conditions.as_q(now))
                .exclude(Exists(RuleRun.objects.filter(rule_id=rule.id, ticket_id=OuterRef("pk"))))
                .values_list("pk", column)
            )
            keep = min(leave, len(rows) // 2)
            leave -= keep
            with transaction.atomic():
                RuleRun.objects.bulk_create(
                    (
                        RuleRun(
                            rule_id=rule.id,
                            rule_name=rule.name,
                            ticket_id=pk,
                            trigger="time",
                            anchor_at=anchor,
                            created_at=now,
                        )
                        for pk, anchor in rows[keep:]
                    ),
                    batch_size=5000,
                )
            print(f"  {rule.name}: {len(rows):,} due before, {keep} left due now")
    print(f"steady state prepared in {time.monotonic() - started:.0f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    started = time.perf_counter()
    report = sweep(now=now)
    first = time.perf_counter() - started
    print(
        f"sweep with {report.fired} due: {first * 1000:.0f} ms ({report.rules} time rules, "
        f"{report.candidates} candidates)"
    )
    quiet = []
    for _ in range(5):
        started = time.perf_counter()
        report = sweep(now=now)
        quiet.append(time.perf_counter() - started)
    print(f"sweep with nothing due (x5): {percentiles(quiet)} (fired {report.fired})")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--rules", type=int, nargs="*", default=[200, 500])
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--due", type=int, default=200)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--skip-sweep", action="store_true")
    args = parser.parse_args()
    if args.regenerate and args.database == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(SQLITE_HOME, f"awn.sqlite3{suffix}").unlink(missing_ok=True)
    elif args.regenerate:
        import psycopg

        with psycopg.connect("postgres://postgres@127.0.0.1/postgres", autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS awn_automation_bench")
    configure(args.database)
    from awn.outbox.services import suppress_deliveries
    from awn.tickets.models import Ticket

    have = Ticket.objects.count()
    if have < args.tickets:
        if have:
            sys.exit(f"the database holds {have:,} tickets; use --regenerate for {args.tickets:,}")
        generate(args.tickets)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other work shares the machine)")
    print(
        f"{args.database}: {Ticket.objects.count():,} tickets, "
        f"{Ticket.objects.exclude(status='closed').count():,} not closed"
    )
    with suppress_deliveries():
        for count in args.rules:
            bench_rules(count, args.samples)
        if not args.skip_sweep:
            bench_sweep(args.due)
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
