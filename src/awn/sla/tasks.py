"""SLA jobs (Huey): the breach sweep every minute; the recompute of open tickets after a policy changed."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
@lock_task("sla-sweep")
def sweep_sla() -> None:
    """Every minute: fire the warnings and breaches whose moment has come (one sweep at a time)."""
    from awn.sla.services import sweep

    report = sweep()
    if report.warnings or report.breaches:
        log.info("SLA sweep: %s warnings, %s breaches", report.warnings, report.breaches)


@db_task()
def recompute_after_policy_change() -> int:
    """Policies changed: every unsolved ticket gets its due times again (idempotent, so never locked)."""
    from awn.sla.services import recompute_open_tickets

    return recompute_open_tickets()
