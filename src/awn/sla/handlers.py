"""The SLA's reactions to ticket events (registered in SlaConfig.ready, see core/events.py).

Every event that can move a due time recomputes the ticket's clocks *in the transaction of the change*
(`subscribe_in_transaction`), so the due times commit with the change that moved them (DESIGN.md §6): no
window in which a ticket is answered but still shows its first response due, no recompute lost with a worker,
and no commit of its own. A failing recompute is logged and never undoes the agent's or customer's change;
its writes sit in a savepoint (see services.recompute_ticket_sla) and the next event or sweep repairs them.
"""

from __future__ import annotations

import logging

from awn.core.events import DomainEvent, subscribe_in_transaction
from awn.sla.services import recompute_ticket_sla

log = logging.getLogger(__name__)

# Changes no policy condition and no clock reads: they need no recompute.
IRRELEVANT_CHANGES = frozenset({"subject", "followers", "assignee", "language"})


def _recompute(ticket_id: int, *, read_first: bool) -> None:
    try:
        recompute_ticket_sla(ticket_id, read_first=read_first)
    except Exception:
        log.exception("SLA recompute failed for ticket %s", ticket_id)


def on_ticket_created(event: DomainEvent) -> None:
    if event.ticket_id is not None:
        _recompute(event.ticket_id, read_first=False)


def on_message_added(event: DomainEvent) -> None:
    # A public message nearly always starts or stops a clock: straight to the locked read and write.
    if event.ticket_id is not None and not event.data.get("internal"):
        _recompute(event.ticket_id, read_first=False)


def on_ticket_updated(event: DomainEvent) -> None:
    changed = set(event.data.get("changed") or ())
    if event.ticket_id is not None and (not changed or changed - IRRELEVANT_CHANGES):
        _recompute(event.ticket_id, read_first=True)


def register() -> None:
    subscribe_in_transaction("ticket.created", on_ticket_created)
    subscribe_in_transaction("ticket.message_added", on_message_added)
    subscribe_in_transaction("ticket.updated", on_ticket_updated)
