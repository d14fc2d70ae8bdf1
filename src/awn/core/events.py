"""Domain events: published by services inside a transaction, dispatched to handlers after commit.

Handlers (automation, SLA, reports, webhooks, real time) register here explicitly, not through Django signals,
so the list of what reacts to a ticket change can be read in one place: `HANDLERS`.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DomainEvent:
    name: str  # e.g. "ticket.created", "ticket.message_added", "ticket.updated"
    ticket_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)


Handler = Callable[[DomainEvent], None]
HANDLERS: dict[str, list[Handler]] = defaultdict(list)


def subscribe(name: str, handler: Handler) -> None:
    if handler not in HANDLERS[name]:
        HANDLERS[name].append(handler)


def publish(event: DomainEvent) -> None:
    """Queue `event` for its handlers once the current transaction commits (now, if there is none)."""
    transaction.on_commit(lambda: dispatch(event))


def dispatch(event: DomainEvent) -> None:
    for handler in [*HANDLERS.get(event.name, []), *HANDLERS.get("*", [])]:
        try:
            handler(event)
        except Exception:  # one failing reaction must not undo the committed change or stop the others
            log.exception("event handler %r failed for %s", handler, event.name)
