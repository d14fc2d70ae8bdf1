"""Email jobs (Huey): poll the IMAP mailboxes, and ingest whatever was stored but not yet ingested."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task
from huey.exceptions import TaskLockedException

from awn.connectors.email import imap
from awn.connectors.email.ingest import ingest_pending

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
def poll_imap_mailboxes() -> dict | None:
    """Every minute (for faster or IDLE-driven fetching, run `awn mail poll --watch`)."""
    try:
        with HUEY.lock_task("email-poll-imap"):  # scaled out, every worker's scheduler fires this
            return imap.poll_all()
    except TaskLockedException:
        return None


@db_periodic_task(crontab(minute="*"))
def ingest_stored_mail() -> int:
    """The safety net for raw-first: messages stored by a listener or poller that died before ingesting."""
    return ingest_pending(limit=1000, older_than=60)
