"""Report jobs (Huey): queue the day's digests once a day (the outbox delivers them with retries), and repair
the facts whose write failed inside a change's transaction."""

from __future__ import annotations

import logging

from django.db import transaction
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

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


@db_task(retries=5, retry_delay=5)
def repair_report_facts(ticket_id: int | None = None, message_id: int | None = None) -> None:
    """Do again, in a transaction of its own, the fact writes that failed in a change's transaction (queued
    by the handlers when that change commits): the reply fact of `message_id`, then the facts of `ticket_id`
    from its history, moving the roll-ups by the difference. Idempotent; raises so that the worker retries."""
    from awn.reports.facts import record_reply, record_ticket_facts

    with transaction.atomic():
        if message_id is not None:
            record_reply(message_id)
        if ticket_id is not None:
            record_ticket_facts(ticket_id)
    log.info("report facts repaired for ticket %s (message %s)", ticket_id, message_id)


@db_periodic_task(crontab(minute="35", hour="0"))
@lock_task("reports-fold-rollup-slots")
def fold_rollup_slots() -> None:
    """Every day (00:35 UTC): fold the PostgreSQL copies of the past days' roll-up rows into one row each
    (`rollups.fold_rollup_slots`); a day missed is folded the next day."""
    from awn.reports.rollups import fold_rollup_slots as fold

    folded = fold()
    if folded:
        log.info("roll-up copies folded into %s rows", folded)
