"""Report jobs (Huey): queue the day's digests once a day (the outbox delivers them with retries)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="5"))
@lock_task("reports-digest")
def queue_report_digests() -> None:
    """Every hour (at :05): queue the digests whose day has begun in the recipient's timezone; each period is
    queued once, whatever the hour it is first seen."""
    from awn.reports.digest import queue_digests

    queued = queue_digests()
    if queued:
        log.info("report digests queued: %s", queued)
