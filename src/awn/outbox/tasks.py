"""Outbox jobs (Huey): deliver one item as soon as its transaction committed; sweep for due items."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from awn.outbox import services


@db_task()
def deliver_outbox_item(item_id: int) -> str | None:
    return services.deliver_item(item_id)


@db_periodic_task(crontab(minute="*"))
def deliver_due_outbox_items() -> int:
    """The safety net: retries whose time came, items whose worker died, kicks that were lost."""
    delivered = 0
    while True:
        batch = services.due_item_ids(limit=100)
        if not batch:
            return delivered
        delivered += sum(1 for pk in batch if services.deliver_item(pk) == services.Status.SENT)
        if len(batch) < 100:
            return delivered
