"""Reports benchmark: every dashboard (and each report alone) on a generated data set, p50/p95 per request.

    AWN_HOME=/tmp/benchdata/sqlite-1m .venv/bin/python bench/reports_bench.py
    AWN_HOME=/tmp/benchdata/pg-1m AWN_DATABASE_URL=postgres://postgres@127.0.0.1/awn_bench_1m \\
        .venv/bin/python bench/reports_bench.py

Data: a set made by `awn bench generate` (which computes the report facts; for a set generated before the
reports app, run `awn manage migrate` and `awn manage rebuild_report_facts` on it first). The script
leaves the data as it found it (what it writes is rolled back).

Each case is one request through Django's test client (middleware, view, queries and template rendering;
no HTTP server), signed in as the bench's admin (every ticket), a manager of two teams (their teams; made
for the run and rolled back) and an agent (their own numbers), for the last 30 days (the dashboard's
default) and the last 365 days (the longest period a report allows), in the viewer's timezone
(Asia/Riyadh). Reported per case: wall-clock p50 and p95 over --runs requests after one warm-up, and the CPU
time of this process per request (the database runs in this process on SQLite; on PostgreSQL the server's
own CPU is not included). The load average is printed, since the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "awn.config.settings")
    os.environ.pop("PYTEST_VERSION", None)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import django

    django.setup()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (position - low) * (ordered[high] - ordered[low])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--days", type=int, nargs="+", default=[30, 365])
    parser.add_argument("--only", default="", help="run only the cases whose name contains this")
    args = parser.parse_args()
    setup()

    from django.conf import settings
    from django.db import connection, transaction
    from django.test import Client

    from awn.accounts.models import Role, Team, User
    from awn.reports.models import ReplyFact, TicketFacts

    settings.ALLOWED_HOSTS = ["*"]
    facts = TicketFacts.objects.count()
    if not facts:
        sys.exit("no report facts: run `awn manage rebuild_report_facts` on this data set first")
    last = TicketFacts.objects.order_by("-created_at").values_list("created_at", flat=True).first()
    admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
    agent = User.objects.filter(role=Role.AGENT, is_active=True, teams__isnull=False).order_by("pk").first()
    # The bench data has no managers: one is made for the run, member of two teams, and everything this script
    # writes (that manager, the viewers' timezone) is rolled back at the end: the data set is left as it was.
    transaction.set_autocommit(False)
    manager = User.objects.filter(role=Role.MANAGER, is_active=True).order_by("pk").first()
    if manager is None:
        teams = list(Team.objects.order_by("pk")[:2])
        manager = User.objects.create(
            email="reports-bench-manager@bench.test",
            name="Bench Manager",
            role=Role.MANAGER,
            timezone="Asia/Riyadh",
        )
        for team in teams:
            team.members.add(manager)
    viewers = {"admin": admin, "manager": manager, "agent": agent}
    for person in viewers.values():
        if person.timezone != "Asia/Riyadh":
            User.objects.filter(pk=person.pk).update(timezone="Asia/Riyadh")
    load = os.getloadavg()
    print(
        f"{connection.vendor}: {facts:,} ticket facts, {ReplyFact.objects.count():,} reply facts; "
        f"last ticket {last:%Y-%m-%d}; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
        f"{args.runs} runs per case"
    )
    print(f"{'case':44} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms':>8}")
    end = last.date()
    try:
        for days in args.days:
            start = end - timedelta(days=days - 1)
            period = {"start": start.isoformat(), "end": end.isoformat()}
            for role, person in viewers.items():
                client = Client()
                client.force_login(person)
                cases = [("dashboard", "/desk/reports/", {})]
                if role == "admin":
                    cases += [("dashboard by tag", "/desk/reports/", {"by": "tag"})]
                    cases += [
                        (f"csv {name}", f"/desk/reports/export/{name}.csv", {})
                        for name in ("summary", "volume", "backlog", "agents", "heatmap")
                    ]
                for name, url, extra in cases:
                    label = f"{days:>3} d {role:8} {name}"
                    if args.only and args.only not in label:
                        continue
                    params = {**period, **extra}
                    response = client.get(url, params)
                    assert response.status_code == 200, (label, response.status_code, response.content[:300])
                    walls, cpus = [], []
                    for _ in range(args.runs):
                        started, cpu = time.perf_counter(), time.process_time()
                        response = client.get(url, params)
                        walls.append(time.perf_counter() - started)
                        cpus.append(time.process_time() - cpu)
                    p50, p95 = 1000 * percentile(walls, 0.5), 1000 * percentile(walls, 0.95)
                    print(
                        f"{label:44} {p50:8.0f} {p95:8.0f} {1000 * statistics.mean(cpus):8.0f}",
                        flush=True,
                    )
    finally:
        transaction.rollback()
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
