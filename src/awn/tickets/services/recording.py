"""Event recording and the on-commit domain events shared by the ticket services."""

from __future__ import annotations

from typing import Any

from awn.core import clock
from awn.core.events import DomainEvent, publish
from awn.core.prepared import insert_objects
from awn.tickets.models import Message, Ticket, TicketEvent
from awn.tickets.services.actors import Actor


def new_event(
    *, ticket: Ticket, by: Actor, kind: str, old: Any = None, new: Any = None, message: Message | None = None
) -> TicketEvent:
    """An event not yet saved: several of them are written in one INSERT by `record_events`."""
    return TicketEvent(
        ticket=ticket,
        actor=by.user,
        actor_label="" if by.user else by.label,
        kind=kind,
        old=old,
        new=new,
        message=message,
        created_at=clock.now(),
    )


def record_event(
    *, ticket: Ticket, by: Actor, kind: str, old: Any = None, new: Any = None, message: Message | None = None
) -> TicketEvent:
    event = new_event(ticket=ticket, by=by, kind=kind, old=old, new=new, message=message)
    event.save(force_insert=True)
    return event


def record_events(events: list[TicketEvent]) -> list[TicketEvent]:
    """Several events in one INSERT (its SQL built once per process: a new ticket writes two or three)."""
    insert_objects(events)
    return events


def touch(ticket: Ticket, *fields: str) -> None:
    ticket.updated_at = clock.now()
    ticket.save(update_fields=[*fields, "updated_at"])


def announce(name: str, ticket: Ticket, **data: Any) -> None:
    publish(DomainEvent(name=name, ticket_id=ticket.pk, data=data))
