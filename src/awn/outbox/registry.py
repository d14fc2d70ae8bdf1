"""Who delivers each kind of outbox item: one sender per kind, registered in an AppConfig.ready()."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from awn.outbox.models import OutboxItem


class PermanentFailure(Exception):
    """Raised by a sender when retrying cannot help (a mail server refused the recipient for good)."""


@dataclass(frozen=True)
class Sender:
    deliver: Callable[[OutboxItem], None]  # raises on failure; returns once the far side accepted
    on_sent: Callable[[OutboxItem], None] | None = None  # runs in the transaction that marks it sent
    on_failed: Callable[[OutboxItem, str], None] | None = None  # after the last attempt, same transaction


SENDERS: dict[str, Sender] = {}


def register(
    kind: str,
    deliver: Callable[[OutboxItem], None],
    *,
    on_sent: Callable[[OutboxItem], None] | None = None,
    on_failed: Callable[[OutboxItem, str], None] | None = None,
) -> None:
    SENDERS[kind] = Sender(deliver=deliver, on_sent=on_sent, on_failed=on_failed)


def sender_for(kind: str) -> Sender | None:
    return SENDERS.get(kind)
