"""Event recording and the on-commit domain events shared by the ticket services."""

from __future__ import annotations

from typing import Any

from awn.core import clock
from awn.core.events import DomainEvent, publish
from awn.tickets.models import Message, Ticket, TicketEvent
from awn.tickets.services.actors import Actor


def record_event(
    *, ticket: Ticket, by: Actor, kind: str, old: Any = None, new: Any = None, message: Message | None = None
) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        actor=by.user,
        actor_label="" if by.user else by.label,
        kind=kind,
        old=old,
        new=new,
        message=message,
        created_at=clock.now(),
    )


def touch(ticket: Ticket, *fields: str) -> None:
    ticket.updated_at = clock.now()
    ticket.save(update_fields=[*fields, "updated_at"])


def announce(name: str, ticket: Ticket, **data: Any) -> None:
    publish(DomainEvent(name=name, ticket_id=ticket.pk, data=data))
