"""`awn bench generate` and `awn bench run` (also `python -m awn.bench …`).

The database is the one Awn itself would use: AWN_DATABASE_URL, or the SQLite file under AWN_HOME.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "awn.config.settings")
    import django

    django.setup()


def _parse_end(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO date: {value!r}") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="awn bench", description="Generate benchmark data and measure Awn.")
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="fill an empty database with generated tickets")
    gen.add_argument("--tickets", type=int, default=100_000)
    gen.add_argument("--customers", type=int, default=None, help="default: 20,000 (fewer for tiny sets)")
    gen.add_argument("--seed", type=int, default=42)
    gen.add_argument("--end", type=_parse_end, default=None, help="last day of the data (default: today)")
    gen.add_argument("--days", type=int, default=365, help="how far back the first ticket goes")
    gen.add_argument("--batch-size", type=int, default=10_000)
    gen.add_argument("--no-analyze", action="store_true", help="skip ANALYZE after the load")
    gen.add_argument("--no-search-index", action="store_true", help="skip rebuilding the search index")

    explain = sub.add_parser("explain", help="the queries of one page, with their times and query plans")
    explain.add_argument("url", help="path and query string, e.g. '/desk/?view=mine'")
    explain.add_argument("--as", dest="email", default="admin@bench.test", help="who asks (email)")
    explain.add_argument("--api", action="store_true", help="authenticate with an API token, not a session")
    explain.add_argument("--slowest", type=int, default=5, help="how many of the slowest queries to explain")

    report = sub.add_parser("report", help="print result files side by side as a Markdown table")
    report.add_argument("files", nargs="+", help="JSON files written by `run` (bench/out/*.json)")

    surveys = sub.add_parser(
        "add-surveys",
        help="add CSAT ratings and NPS surveys to a generated data set that has none (else do nothing)",
    )
    surveys.add_argument("--seed", type=int, default=42)

    sub.add_parser("reindex", help="rebuild the search index of the database (after generating without it)")

    run = sub.add_parser("run", help="start Awn on the generated database and measure it over HTTP")
    run.add_argument("--label", default="", help="name for this run (default: database vendor and size)")
    run.add_argument("--requests", type=int, default=200, help="measured requests per scenario")
    run.add_argument("--warmup", type=int, default=20, help="unmeasured requests per scenario first")
    run.add_argument(
        "--scenario-seconds",
        type=float,
        default=90.0,
        help="stop a scenario after this long (at least 5 requests), for pages too slow for the full count",
    )
    run.add_argument("--clients", type=int, default=16, help="concurrent API clients for ticket creation")
    run.add_argument("--create-seconds", type=float, default=20.0, help="length of the creation run")
    run.add_argument("--port", type=int, default=0, help="port for the server (default: a free one)")
    run.add_argument(
        "--processes",
        type=int,
        default=1,
        help="web processes: 1 runs `awn run`; N runs `awn run --processes N` (needs AWN_REDIS_URL)",
    )
    run.add_argument("--out", default="bench/out", help="directory for the JSON results")
    run.add_argument("--only", default="", help="comma-separated scenario name prefixes to run")
    run.add_argument("--no-create", action="store_true", help="skip the API creation run (it writes)")
    run.add_argument("--server", default="", help="measure an already running server at this URL instead")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "report":  # plain files: no Django needed
        from awn.bench.report import print_report

        return print_report(args.files)
    if args.command in ("run", "explain"):
        # Query counts come from in-process requests through Django's test client, which says "testserver".
        hosts = os.environ.get("AWN_ALLOWED_HOSTS", "localhost,127.0.0.1")
        os.environ["AWN_ALLOWED_HOSTS"] = f"{hosts},testserver"
    _setup_django()
    if args.command == "generate":
        return _generate(args)
    if args.command == "reindex":
        return _reindex()
    if args.command == "add-surveys":
        return _add_surveys(args)
    if args.command == "explain":
        from awn.bench.explain import explain_page

        return explain_page(args.url, args.email, api=args.api, slowest=args.slowest)
    from awn.bench.harness import run_benchmark

    return run_benchmark(args)


def _generate(args) -> int:
    from django.core.management import call_command
    from django.db import connection

    from awn.bench.generate import BENCH_PASSWORD, generate

    call_command("migrate", interactive=False, verbosity=0)
    where = f"{connection.vendor} ({connection.settings_dict['NAME']})"
    print(f"generating {args.tickets:,} tickets into {where}")
    try:
        summary = generate(
            tickets=args.tickets,
            customers=args.customers,
            seed=args.seed,
            end=args.end,
            days=args.days,
            batch_size=args.batch_size,
            analyze=not args.no_analyze,
            search_index=not args.no_search_index,
            progress=lambda line: print(line, flush=True),
        )
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(
        f"done in {summary.seconds_total:.0f} s: {summary.tickets:,} tickets, {summary.messages:,} messages, "
        f"{summary.events:,} events, {summary.customers:,} customers, {summary.agents} agents"
    )
    print(f"sign in as admin@bench.test, agent1@support.bench.test … with the password {BENCH_PASSWORD!r}")
    return 0


def _reindex() -> int:
    import time

    from awn.search.indexing import rebuild_index

    started = time.monotonic()
    documents = rebuild_index(batch_size=5000)
    print(f"search index rebuilt: {documents:,} documents in {time.monotonic() - started:.0f} s")
    return 0


def _add_surveys(args) -> int:
    import time

    from django.db import OperationalError, connection

    from awn.bench.surveys import add_surveys

    print(f"adding survey answers to {connection.vendor} ({connection.settings_dict['NAME']})", flush=True)
    cpu = time.process_time()
    for attempt in range(30):
        try:
            summary = add_surveys(seed=args.seed, progress=lambda line: print(line, flush=True))
            break
        except OperationalError as exc:  # SQLite: another process kept the write lock past the busy timeout
            if "locked" not in str(exc) or attempt == 29:
                raise
            print(f"database is locked ({exc}); trying again in 10 s", flush=True)
            time.sleep(10)
    if summary.added:
        print(f"done in {summary.seconds:.1f} s wall, {time.process_time() - cpu:.1f} s CPU (this process)")
    return 0
