"""Several processes writing to one SQLite database: how the writer queue (awn.core.sqlite) behaves.

    .venv/bin/python bench/sqlite_writers.py --processes 2 --threads 8 --inside-ms 4 --outside-ms 4
    .venv/bin/python bench/sqlite_writers.py --processes 2 --threads 8 --no-queue   # SQLite's busy handler

Each of `--processes` processes (Awn's settings, a fresh database under --home) runs `--threads` threads
that each loop for `--seconds`: `--outside-ms` of CPU (a request's parsing and answer), then one transaction
(`atomic`: BEGIN IMMEDIATE) of `--statements` INSERTs with `--inside-ms` of CPU spread between them (the
ORM and the service's Python). Without Awn's code in the way, this shows what the lock itself costs: the
wait before BEGIN, how long the lock is held against the CPU spent holding it (the rest is the holder
waiting for a core or for its process's GIL), and what the machine gets through. With the inside share
of the work at s, two processes can at best do 1 / s times what one does in the same CPU (Amdahl).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"


def spin(seconds: float) -> None:
    """Burn this much CPU in Python, holding the GIL as the ORM would."""
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


def child(args: argparse.Namespace) -> None:
    os.environ.update(
        AWN_HOME=args.home,
        AWN_DATABASE_URL=f"sqlite:///{Path(args.home) / 'awn.sqlite3'}",
        AWN_SQLITE_QUEUE_WRITERS="false" if args.no_queue else "true",
        DJANGO_SETTINGS_MODULE="awn.config.settings",
    )
    import django

    django.setup()
    from django.db import OperationalError, connection, transaction

    if args.switch_interval:
        sys.setswitchinterval(args.switch_interval / 1000)
    inside = args.inside_ms / 1000 / max(1, args.statements)
    results: list[dict] = []
    start_at = float(args.start_at)

    def work(number: int) -> None:
        waits, holds, hold_cpu, units, errors = [], [], [], [], 0
        payload = "x" * 200
        while time.time() < start_at:
            time.sleep(0.001)
        deadline = start_at + args.seconds
        while time.time() < deadline:
            began = time.perf_counter()
            spin(args.outside_ms / 1000)
            asked = time.perf_counter()
            try:
                with transaction.atomic():
                    got, got_cpu = time.perf_counter(), time.thread_time()
                    with connection.cursor() as cursor:
                        for _ in range(args.statements):
                            cursor.execute("INSERT INTO rows (who, pad) VALUES (%s, %s)", [number, payload])
                            spin(inside)
                    hold_cpu.append(time.thread_time() - got_cpu)
            except OperationalError:
                errors += 1
                continue
            done = time.perf_counter()
            waits.append(got - asked)
            holds.append(done - got)
            units.append(done - began)
        connection.close()
        results.append(
            {"waits": waits, "holds": holds, "hold_cpu": hold_cpu, "units": units, "errors": errors}
        )

    cpu_before = time.process_time()
    threads = [threading.Thread(target=work, args=(n,)) for n in range(args.threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    merged = {key: [v for r in results for v in r[key]] for key in ("waits", "holds", "hold_cpu", "units")}
    merged["errors"] = sum(r["errors"] for r in results)
    merged["cpu"] = time.process_time() - cpu_before
    print(json.dumps(merged))


def percentile(values: list[float], share: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * share))] * 1000 if values else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8, help="threads per process, each its own connection")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--statements", type=int, default=20, help="INSERTs per transaction")
    parser.add_argument("--inside-ms", type=float, default=4.0, help="CPU inside each transaction")
    parser.add_argument("--outside-ms", type=float, default=4.0, help="CPU before each transaction")
    parser.add_argument("--no-queue", action="store_true", help="AWN_SQLITE_QUEUE_WRITERS=false")
    parser.add_argument("--switch-interval", type=float, default=0.0, help="sys.setswitchinterval, in ms")
    parser.add_argument("--home", default="/tmp/awn-sqlite-writers-bench", help="AWN_HOME (emptied first)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--start-at", default="0", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    home = Path(args.home)
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    with sqlite3.connect(home / "awn.sqlite3") as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE rows (id INTEGER PRIMARY KEY, who INTEGER, pad TEXT)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWN_") and not k.startswith("PYTEST_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH", "")]))
    start_at = time.time() + 3 + args.processes  # after every process has loaded Django
    command = [sys.executable, __file__, "--child", "--start-at", str(start_at)]
    command += [arg for arg in sys.argv[1:] if arg != "--child"]
    load_before = os.getloadavg()[0]
    children = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) for _ in range(args.processes)
    ]
    outputs = [json.loads(child.communicate()[0]) for child in children]
    if any(child.returncode for child in children):
        sys.exit("a writer process failed")
    done = sum(len(o["units"]) for o in outputs)
    waits = [w for o in outputs for w in o["waits"]]
    holds = [h for o in outputs for h in o["holds"]]
    hold_cpu = [c for o in outputs for c in o["hold_cpu"]]
    units = [u for o in outputs for u in o["units"]]
    cpu = sum(o["cpu"] for o in outputs)
    print(
        f"{args.processes} process(es) x {args.threads} threads, {args.outside_ms} ms outside + "
        f"{args.inside_ms} ms inside ({args.statements} statements), "
        f"{'busy handler' if args.no_queue else 'writer queue'}"
        + (f", switch interval {args.switch_interval} ms" if args.switch_interval else "")
    )
    print(
        f"  {done / args.seconds:.0f} transactions/s; unit p50 {percentile(units, 0.5):.1f} ms, "
        f"p95 {percentile(units, 0.95):.1f} ms; wait before BEGIN p50 {percentile(waits, 0.5):.1f}, "
        f"p95 {percentile(waits, 0.95):.1f} ms; lock held {statistics.mean(holds) * 1000:.1f} ms a "
        f"transaction for {statistics.mean(hold_cpu) * 1000:.1f} ms of CPU "
        f"({sum(holds) / args.seconds:.0%} of the time); CPU {cpu / max(1, done) * 1000:.1f} ms a "
        f"transaction; errors {sum(o['errors'] for o in outputs)}; load {load_before:.1f} -> "
        f"{os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
