"""`awn manage rebuild_search_index`: recreate the full-text index after a restore or a bulk import."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from awn.search.indexing import rebuild_index


class Command(BaseCommand):
    help = "Recreate the full-text search index from all tickets and messages."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=5000, help="Documents written per transaction.")

    def handle(self, *args, batch_size: int, **options) -> None:
        started = time.monotonic()
        verbosity = options.get("verbosity", 1)

        def progress(done: int, total: int) -> None:
            if verbosity >= 1:
                rate = done / max(time.monotonic() - started, 1e-6)
                self.stdout.write(
                    _("%(done)d/%(total)d documents (%(rate)d/s)")
                    % {"done": done, "total": total, "rate": rate}
                )

        total = rebuild_index(batch_size=batch_size, progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                _("Indexed %(total)d documents in %(seconds).1f s.")
                % {"total": total, "seconds": time.monotonic() - started}
            )
        )
