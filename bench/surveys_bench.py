"""Surveys benchmark: one batch of the NPS sweep's candidate query on a generated data set, read-only.

    .venv/bin/python bench/surveys_bench.py --sqlite /tmp/benchdata/sqlite-1m/awn.sqlite3
    .venv/bin/python bench/surveys_bench.py --postgres postgres://postgres@127.0.0.1/awn_bench_1m

The data sets of `awn bench generate` are not migrated for the surveys app and must not be written to, so the
survey table is an empty stand-in: an in-memory database attached to a read-only SQLite connection, or a
temporary table in a PostgreSQL transaction that is rolled back. The SQL is the one `nps_candidates` builds
(compiled by Django against a scratch home); "now" is the data set's latest solve, the delay 7 days, the
period 90. Prints the plan, how many tickets the window holds, and wall and CPU time per batch of 200 (CPU of
this process for SQLite, which runs in it; the server's execution time for PostgreSQL).
"""

from __future__ import annotations

import argparse
import atexit
import os
import re
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

RUNS = 5


def candidate_sql() -> str:
    """The candidate query with %s placeholders, compiled by Django on a scratch SQLite home."""
    home = tempfile.mkdtemp(prefix="awn-surveys-bench-")
    atexit.register(shutil.rmtree, home, ignore_errors=True)
    os.environ["AWN_HOME"] = home
    os.environ.pop("AWN_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "awn.config.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.db.models import Q
    from django.db.models.query import QuerySet

    from awn.surveys import services
    from awn.surveys.models import SurveySettings

    captured: list[str] = []

    class Captured(Exception):
        pass

    def capture(rows):
        if isinstance(rows, QuerySet):
            captured.append(rows.query.sql_with_params()[0])
            raise Captured
        return list(rows)

    services.list = capture  # type: ignore[attr-defined]
    try:
        services.nps_candidates(
            settings=SurveySettings(nps_delay_days=7, nps_period_days=90),
            scope=Q(team__isnull=True) | ~Q(team_id__in=[]),
            now=datetime(2026, 1, 1, tzinfo=UTC),
        )
    except Captured:
        pass
    finally:
        del services.list  # type: ignore[attr-defined]
    return captured[0]


def window(now: datetime) -> tuple[datetime, datetime, datetime]:
    due = now - timedelta(days=7)
    return due - timedelta(days=7), due, now - timedelta(days=90)


STAND_IN = (
    "CREATE TABLE {schema}surveys_npsresponse (id integer PRIMARY KEY, customer_id bigint NOT NULL, "
    "ticket_id bigint, sent_at {timestamp} NOT NULL)",
    "CREATE UNIQUE INDEX {schema}nps_one_per_ticket ON surveys_npsresponse (ticket_id) "
    "WHERE ticket_id IS NOT NULL",
    "CREATE INDEX {schema}nps_customer_sent ON surveys_npsresponse (customer_id, sent_at)",
)


def run_sqlite(path: str, sql: str) -> None:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=60)
    db.execute("ATTACH ':memory:' AS scratch")
    for statement in STAND_IN:
        db.execute(statement.format(schema="scratch.", timestamp="datetime"))
    latest = db.execute("SELECT MAX(solved_at) FROM tickets_ticket").fetchone()[0]
    now = datetime.fromisoformat(latest[:19])
    earliest, due, period = (d.strftime("%Y-%m-%d %H:%M:%S") for d in window(now))
    params = [earliest, due, "solved", "closed", earliest, 1, 1, period]
    sql = sql.replace("%s", "?")
    print("plan:")
    for row in db.execute("EXPLAIN QUERY PLAN " + sql, params):
        print("  ", row[3])
    in_window = db.execute(
        "SELECT COUNT(*) FROM tickets_ticket WHERE status IN ('solved', 'closed') AND updated_at >= ?",
        [earliest],
    ).fetchone()[0]
    print(f"solved or closed tickets updated in the window: {in_window:,}")
    for run in range(RUNS):
        before, started = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
        rows = db.execute(sql, params).fetchall()
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_SELF)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        print(f"run {run}: {len(rows)} candidates, wall {wall * 1000:.1f} ms, CPU {cpu * 1000:.1f} ms")


def run_postgres(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url) as conn:
        cur = conn.cursor()
        for statement in STAND_IN:
            cur.execute(
                statement.format(schema="", timestamp="timestamptz").replace("TABLE ", "TEMP TABLE ", 1)
            )
        cur.execute("SELECT MAX(solved_at) FROM tickets_ticket")
        earliest, due, period = window(cur.fetchone()[0])
        params = [earliest, due, "solved", "closed", earliest, 1, 1, period]
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        print("plan:")
        for (line,) in cur.fetchall():
            print("  ", line)
        for run in range(RUNS):
            cur.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
            plan = cur.fetchone()[0][0]
            started = time.perf_counter()
            cur.execute(sql, params)
            rows = cur.fetchall()
            wall = time.perf_counter() - started
            print(
                f"run {run}: {len(rows)} candidates, wall {wall * 1000:.1f} ms, "
                f"server execution {plan['Execution Time']:.1f} ms"
            )
        conn.rollback()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--sqlite", help="path of a generated data set's awn.sqlite3 (opened read-only)")
    target.add_argument("--postgres", help="URL of a generated PostgreSQL data set (nothing is committed)")
    args = parser.parse_args()
    sql = candidate_sql()
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.sqlite:
        run_sqlite(args.sqlite, sql)
    else:
        run_postgres(args.postgres, re.sub(r"\s+", " ", sql))
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
