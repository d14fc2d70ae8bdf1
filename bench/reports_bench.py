"""Reports benchmark: every dashboard (and each report alone) on a generated data set, p50/p95 per request.

    AWN_HOME=/tmp/benchdata/sqlite-1m .venv/bin/python bench/reports_bench.py
    AWN_HOME=/tmp/benchdata/pg-1m AWN_DATABASE_URL=postgres://postgres@127.0.0.1/awn_bench_1m \\
        .venv/bin/python bench/reports_bench.py

Data: a set made by `awn bench generate` (which computes the report facts; for a set generated before the
reports app, run `awn manage migrate` and `awn manage rebuild_report_facts` on it first).

Each case is one call of the view (its queries and template rendering; no middleware and no HTTP server), as
the bench's admin (every ticket), a manager (the generated sets have none: the second agent seen as a manager,
in memory, so their teams) and an agent (their own numbers), for the last 30 days (the dashboard's default)
and the last 365 days (the longest period a report allows), in Asia/Riyadh time. The script writes nothing.
Reported per case: wall-clock p50 and p95 over --runs requests after one warm-up, and the CPU time of this
process per request (on SQLite the database works in this process; on PostgreSQL the server's own CPU is not
included). The load average is printed, since the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ZONE = "Asia/Riyadh"


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
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection
    from django.test import RequestFactory
    from django.urls import resolve
    from django.utils import timezone, translation

    from awn.accounts.models import Role, Team, User
    from awn.reports.models import ReplyFact, TicketFacts

    settings.ALLOWED_HOSTS = ["*"]
    facts = TicketFacts.objects.count()
    if not facts:
        sys.exit("no report facts: run `awn manage rebuild_report_facts` on this data set first")
    last = TicketFacts.objects.order_by("-created_at").values_list("created_at", flat=True).first()
    admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
    agents = list(
        User.objects.filter(role=Role.AGENT, is_active=True, teams__isnull=False)
        .distinct()
        .order_by("pk")[:2]
    )
    agent = agents[0]
    # The generated sets have no managers, and this script writes nothing: the manager is the second agent
    # seen as a manager (same person, role manager, in memory only), so their scope is that agent's teams.
    manager = (
        User.objects.filter(role=Role.MANAGER, is_active=True, teams__isnull=False).order_by("pk").first()
    )
    if manager is None:
        manager = User.objects.get(pk=agents[1].pk)
        manager.role = Role.MANAGER
    teams = Team.objects.filter(members=manager).count()
    load = os.getloadavg()
    print(
        f"{connection.vendor}: {facts:,} ticket facts, {ReplyFact.objects.count():,} reply facts; "
        f"last ticket {last:%Y-%m-%d}; manager of {teams} teams; timezone {ZONE}; "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {args.runs} runs per case"
    )
    print(f"{'case':44} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms':>8}")
    factory = RequestFactory()

    def request_as(person, url: str, params: dict):
        """The view called directly (no middleware: the person need not be saved as they are)."""
        request = factory.get(url, params)
        request.user = person
        request.session = SessionStore()
        match = resolve(url)
        with timezone.override(ZoneInfo(ZONE)), translation.override("en"):
            response = match.func(request, **match.kwargs)
            if hasattr(response, "render"):
                response.render()
        return response

    end = last.date()
    for days in args.days:
        start = end - timedelta(days=days - 1)
        period = {"start": start.isoformat(), "end": end.isoformat()}
        for role, person in {"admin": admin, "manager": manager, "agent": agent}.items():
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
                response = request_as(person, url, params)
                assert response.status_code == 200, (label, response.status_code, response.content[:300])
                walls, cpus = [], []
                for _ in range(args.runs):
                    started, cpu = time.perf_counter(), time.process_time()
                    request_as(person, url, params)
                    walls.append(time.perf_counter() - started)
                    cpus.append(time.process_time() - cpu)
                p50, p95 = 1000 * percentile(walls, 0.5), 1000 * percentile(walls, 0.95)
                print(f"{label:44} {p50:8.0f} {p95:8.0f} {1000 * statistics.mean(cpus):8.0f}", flush=True)
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
