"""The reports' reactions to ticket events (registered in ReportsConfig.ready, see core/events.py).

Facts are recomputed *in the transaction of the change*, after the SLA handlers (the reports app is the last
one installed), so they commit with the change and see the SLA outcome it caused. The exception is a new
ticket: its transaction only queues it, and the facts writer of the job workers writes its facts after it
commits, in batches (pending.py). A failing computation is logged and never undoes the change: its writes sit
in a savepoint, rolled back alone, and the job `repair_report_facts` does them again in a transaction of its
own once the change has committed (retried by the job worker), so a deadlock on a roll-up row between two
writers (several email workers, each holding a batch's rows) loses no fact. Each savepoint goes with
`rollups.tentative()`: where a caller collects the roll-up differences of many changes
(`rollups.collecting()`, an email batch), a rolled-back one adds none.
"""

from __future__ import annotations

import logging

from django.db import transaction

from awn.core import clock
from awn.core.events import DomainEvent, subscribe_in_transaction
from awn.reports import pending, rollups
from awn.reports.facts import record_customer_message, record_reply, record_ticket_facts
from awn.reports.models import TicketFacts
from awn.sla.models import Target

log = logging.getLogger(__name__)


def _failed(*, ticket_id: int | None = None, message_id: int | None = None) -> None:
    """Log the failure and queue the repair for when the change commits (nothing to repair if it doesn't)."""
    log.exception("report facts failed for ticket %s (message %s): queued for repair", ticket_id, message_id)
    from awn.reports.tasks import repair_report_facts

    transaction.on_commit(lambda: repair_report_facts(ticket_id=ticket_id, message_id=message_id))


# Changes that move no fact column: no recompute.
IRRELEVANT_CHANGES = frozenset({"subject", "followers", "language", "tags"})


def _recompute(ticket_id: int) -> None:
    try:
        with rollups.tentative(), transaction.atomic():
            record_ticket_facts(ticket_id)
    except Exception:
        _failed(ticket_id=ticket_id)


def on_ticket_created(event: DomainEvent) -> None:
    if event.ticket_id is None:
        return
    if "requester_id" not in event.data:  # not announced by the ticket service: read the history
        _recompute(event.ticket_id)
        return
    # A new ticket's facts are written after it commits, in batches (pending.py): here it is only queued, in
    # its transaction. A change before the writer's batch writes them itself (rollups.facts_row).
    pending.queue(event.ticket_id)


def on_message_added(event: DomainEvent) -> None:
    if event.ticket_id is None or event.data.get("internal"):
        return
    if event.data.get("from_staff") and event.data.get("message_id"):
        try:
            with rollups.tentative(), transaction.atomic():
                record_reply(event.data["message_id"])
        except Exception:
            _failed(ticket_id=event.ticket_id, message_id=event.data["message_id"])
    if event.data.get("opening"):  # a first message: "ticket.created" follows and records the facts
        return
    if event.data.get("from_customer"):
        try:
            with rollups.tentative(), transaction.atomic():
                if record_customer_message(event.ticket_id):
                    return
        except Exception:
            _failed(ticket_id=event.ticket_id)
            return
    _recompute(event.ticket_id)


def on_ticket_updated(event: DomainEvent) -> None:
    changed = set(event.data.get("changed") or ())
    if event.ticket_id is not None and (not changed or changed - IRRELEVANT_CHANGES):
        _recompute(event.ticket_id)
    if event.ticket_id is not None and "tags" in changed:
        _record_tags(event)


def _record_tags(event: DomainEvent) -> None:
    """The tag roll-ups follow the tags that came and went (announced by `set_tags`). A difference cannot be
    applied twice safely, so a failure is not queued for repair: it is logged, and the tag rows stay off by
    this change until `rebuild_report_rollups`; the change itself stands."""
    added, removed = event.data.get("added_tag_ids") or (), event.data.get("removed_tag_ids") or ()
    if not added and not removed:
        return
    try:
        with rollups.tentative(), transaction.atomic():
            rollups.record_tags_change(event.ticket_id, added=list(added), removed=list(removed))
    except Exception:
        log.exception(
            "tag roll-ups failed for ticket %s: rebuild_report_rollups corrects them", event.ticket_id
        )


# A breach moves the ticket's breached flag and the outcome of its target, nothing else: the sweep breaches
# tickets by the hundred, so it writes those columns instead of recomputing each ticket from its history.
BREACHED_OUTCOME = {Target.FIRST_RESPONSE: "sla_first_response_met", Target.RESOLUTION: "sla_resolution_met"}


def on_sla_breached(event: DomainEvent) -> None:
    if event.ticket_id is None:
        return
    changes: dict[str, object] = {"sla_breached": True, "computed_at": clock.now()}
    outcome = BREACHED_OUTCOME.get(event.data.get("target"))
    if outcome:
        changes[outcome] = False
    try:
        with rollups.tentative(), transaction.atomic():
            old = rollups.facts_row(event.ticket_id, lock=True)
            if old is None:
                record_ticket_facts(event.ticket_id)  # no facts yet (written before this app): all of them
            else:
                TicketFacts.objects.filter(ticket_id=event.ticket_id).update(**changes)
                rollups.record_facts_change(old, {**old, **changes})
    except Exception:
        _failed(ticket_id=event.ticket_id)


def register() -> None:
    subscribe_in_transaction("ticket.created", on_ticket_created)
    subscribe_in_transaction("ticket.message_added", on_message_added)
    subscribe_in_transaction("ticket.updated", on_ticket_updated)
    subscribe_in_transaction("sla.breached", on_sla_breached)
