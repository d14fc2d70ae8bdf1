"""Domain events: published by services inside a transaction, dispatched to handlers after commit.

Handlers (automation, SLA, reports, webhooks, real time) register here explicitly, not through Django signals,
so the list of what reacts to a ticket change can be read in one place: `HANDLERS`.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import transaction

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DomainEvent:
    name: str  # e.g. "ticket.created", "ticket.message_added", "ticket.updated"
    ticket_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)
    # What made the change, when it was not a person: set by `caused_by` (an automation rule run, for
    # example), so a reaction can recognise its own consequences and not loop on them (STYLE.md §8).
    cause: Any = None


Handler = Callable[[DomainEvent], None]
HANDLERS: dict[str, list[Handler]] = defaultdict(list)
# Handlers that must write in the same transaction as the change itself: the outbox (DESIGN.md §3), so a
# committed reply always has its delivery queued. They run inside publish(); an exception undoes the change.
IN_TRANSACTION_HANDLERS: dict[str, list[Handler]] = defaultdict(list)


def subscribe(name: str, handler: Handler) -> None:
    if handler not in HANDLERS[name]:
        HANDLERS[name].append(handler)


def subscribe_in_transaction(name: str, handler: Handler) -> None:
    if handler not in IN_TRANSACTION_HANDLERS[name]:
        IN_TRANSACTION_HANDLERS[name].append(handler)


_cause: ContextVar[Any] = ContextVar("awn_event_cause", default=None)
# How deep in dispatch() this context is, and who is collecting the events handlers publish (`reactions`).
_dispatching: ContextVar[int] = ContextVar("awn_event_dispatching", default=0)
_reactions: ContextVar[list[DomainEvent] | None] = ContextVar("awn_event_reactions", default=None)


@contextmanager
def caused_by(cause: Any) -> Iterator[None]:
    """Every event published inside this block carries `cause`, even when it is dispatched later."""
    token = _cause.set(cause)
    try:
        yield
    finally:
        _cause.reset(token)


@contextmanager
def reactions() -> Iterator[list[DomainEvent]]:
    """Collect the events that handlers publish, in reaction to other events, while the block runs.

    A caller about to show what it just changed learns whether anything changed it again after the commit
    (an automation rule, routing), or whether the objects it holds are still what the database has."""
    found: list[DomainEvent] = []
    token = _reactions.set(found)
    try:
        yield found
    finally:
        _reactions.reset(token)


def publish(event: DomainEvent) -> None:
    """Run the in-transaction handlers now; queue `event` for the others once the current transaction
    commits (now, if there is none)."""
    cause = _cause.get()
    if cause is not None and event.cause is None:
        event = replace(event, cause=cause)
    if _dispatching.get():
        collected = _reactions.get()
        if collected is not None:
            collected.append(event)
    for handler in IN_TRANSACTION_HANDLERS.get(event.name, []):
        handler(event)
    transaction.on_commit(lambda: dispatch(event))


def dispatch(event: DomainEvent) -> None:
    # What a handler changes in reaction is part of the same chain as the event itself.
    depth = _dispatching.set(_dispatching.get() + 1)
    try:
        with caused_by(event.cause):
            for handler in [*HANDLERS.get(event.name, []), *HANDLERS.get("*", [])]:
                try:
                    handler(event)
                except Exception:  # one failing reaction must not undo the committed change or stop others
                    log.exception("event handler %r failed for %s", handler, event.name)
    finally:
        _dispatching.reset(depth)
