"""The SLA's reactions to ticket events (registered in SlaConfig.ready, see core/events.py): every event that
can move a due time recomputes the ticket's clocks (DESIGN.md §6)."""

from __future__ import annotations

from awn.core.events import DomainEvent, subscribe
from awn.sla.services import recompute_ticket_sla

# Changes no policy condition and no clock reads: they need no recompute.
IRRELEVANT_CHANGES = frozenset({"subject", "followers", "assignee", "language"})


def on_ticket_created(event: DomainEvent) -> None:
    if event.ticket_id is not None:
        recompute_ticket_sla(event.ticket_id, read_first=False)


def on_message_added(event: DomainEvent) -> None:
    # A public message nearly always starts or stops a clock: straight to the locked read and write.
    if event.ticket_id is not None and not event.data.get("internal"):
        recompute_ticket_sla(event.ticket_id, read_first=False)


def on_ticket_updated(event: DomainEvent) -> None:
    changed = set(event.data.get("changed") or ())
    if event.ticket_id is not None and (not changed or changed - IRRELEVANT_CHANGES):
        recompute_ticket_sla(event.ticket_id)


def register() -> None:
    subscribe("ticket.created", on_ticket_created)
    subscribe("ticket.message_added", on_message_added)
    subscribe("ticket.updated", on_ticket_updated)
