"""`awn manage rebuild_report_facts`: compute the report facts of every ticket from its recorded history.

Needed after an upgrade that adds or changes the facts, and for data loaded without the service layer (the
benchmark generator). Batched, one transaction per batch, idempotent: run it again at any time.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from awn.reports.facts import rebuild_facts


class Command(BaseCommand):
    help = "Recompute the report facts of every ticket from its messages and events."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument("--after", type=int, default=0, help="resume after this ticket id")

    def handle(self, *args, batch_size: int, after: int, **options) -> None:
        started = time.monotonic()
        last = [started]

        def progress(done: int) -> None:
            if time.monotonic() - last[0] >= 10:
                last[0] = time.monotonic()
                self.stdout.write(f"{done:,} tickets ({time.monotonic() - started:.0f} s)")

        cpu = time.process_time()
        tickets, replies = rebuild_facts(batch_size=batch_size, after=after, progress=progress)
        self.stdout.write(
            f"report facts: {tickets:,} tickets, {replies:,} new reply facts "
            f"({time.monotonic() - started:.1f} s, CPU {time.process_time() - cpu:.1f} s)"
        )
