"""`awn outbox deliver [--watch]`: deliver due outbox items in the foreground (a dedicated delivery worker;
`awn run` and `awn worker` deliver through their job queue already)."""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="awn outbox", description="The outbox of outgoing deliveries.")
    commands = parser.add_subparsers(dest="action", metavar="ACTION")
    commands.required = True
    deliver = commands.add_parser("deliver", help="deliver every due item")
    deliver.add_argument("--watch", action="store_true", help="keep delivering as items become due")
    deliver.add_argument("--interval", type=float, default=1.0, help="seconds between sweeps (default 1)")
    args = parser.parse_args(list(argv))
    from awn.cli.environment import require_migrated, say
    from awn.outbox.services import deliver_due

    require_migrated()
    total = deliver_due(limit=1000)
    try:
        while args.watch:
            time.sleep(args.interval)
            total += deliver_due(limit=1000)
    except KeyboardInterrupt:
        pass
    say(f"delivered {total}")
    return 0
