"""Routing reacts to ticket events: a ticket that lands in a team unassigned is assigned by its strategy."""

from __future__ import annotations

from awn.core.events import DomainEvent, subscribe
from awn.tickets.models import Ticket


def assign_on_arrival(event: DomainEvent) -> None:
    if event.name == "ticket.updated" and not {"team", "status"} & set(event.data.get("changed", ())):
        return
    from awn.routing.services import auto_assign, automatic_teams

    if not automatic_teams():
        return  # nobody assigns automatically: not even the ticket is read

    if event.ticket_id is None:
        return
    ticket = Ticket.objects.filter(pk=event.ticket_id).only("pk").first()
    if ticket is not None:
        auto_assign(ticket=ticket)


def register() -> None:
    subscribe("ticket.created", assign_on_arrival)
    subscribe("ticket.updated", assign_on_arrival)
