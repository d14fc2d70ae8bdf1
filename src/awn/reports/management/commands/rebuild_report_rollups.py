"""`awn manage rebuild_report_rollups`: recompute the reports' daily and hourly roll-ups from the facts.

Run it once after upgrading to the version that adds them (`awn manage migrate` first); `rebuild_report_facts`
ends with it. One UTC day per transaction, idempotent, safe while the desk is in use.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from awn.reports.rollups import rebuild_rollups


class Command(BaseCommand):
    help = "Recompute the report roll-ups (per day and hour) from the report facts."

    def handle(self, *args, **options) -> None:
        started, cpu = time.monotonic(), time.process_time()
        days, rows = rebuild_rollups(progress=self.stdout.write)
        self.stdout.write(
            f"report roll-ups: {days:,} days, {rows:,} rows "
            f"({time.monotonic() - started:.1f} s, CPU {time.process_time() - cpu:.1f} s)"
        )
