"""Automation's jobs (Huey): the time-based sweep. Mail and webhooks go through the outbox (outbound.py)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*/5"))
@lock_task("automation-sweep")
def run_time_rules() -> None:
    """Every five minutes: fire the time-based rules whose moment has come (one sweep at a time)."""
    from awn.automation.engine import sweep

    report = sweep()
    if report.fired:
        log.info("time-based rules: %s fired over %s candidates", report.fired, report.candidates)
