"""Survey jobs (Huey): the hourly NPS sweep."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from awn.surveys import services


@db_periodic_task(crontab(minute="17"))
def send_nps_surveys() -> int:
    """Queue the NPS surveys that are due; the outbox sends them."""
    return services.queue_nps_surveys()
