"""The chat message a service has just written, handed to the broadcasts of its own commit.

A chat message's broadcasts (realtime/events.py) run after commit in the thread that wrote it, and need the
message, its author, its ticket and the ticket's chat: read back, that was a four-table query of ~2 ms of CPU
per message (half of the real-time work of a chat exchange). The chat services hold those objects already, as
they were written: they hand them over, and the broadcast of that message takes them (`recall`) instead of
reading them again. Anything else — another thread, another message, a message with files — reads from the
database as before.

The objects are handed over by the commit itself (`handed_to_broadcast`): a hook registered before the
message's events takes them to this thread's slot, where the message's broadcast (a later hook of the same
commit) finds them, and a hook registered after them empties the slot. A transaction that rolls back runs none
of them, so nothing it wrote is ever taken for another message (SQLite gives a rolled-back id again).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.db import transaction

if TYPE_CHECKING:
    from awn.connectors.chat.models import ChatSession
    from awn.tickets.models import Message

_local = threading.local()


@contextmanager
def handed_to_broadcast() -> Iterator[Callable[[Message, ChatSession], None]]:
    """Around the write of a chat message, in the service's transaction: call `keep(message, session)` once it
    is written (text only), and the broadcasts of that commit take them instead of reading them back."""
    held: list[tuple[Message, ChatSession]] = []
    transaction.on_commit(lambda: held and remember(*held[-1]))
    yield lambda message, session: held.append((message, session))
    transaction.on_commit(forget)


def remember(message: Message, session: ChatSession) -> None:
    """`message` (text only: its attachments are not loaded), committed in `session`'s chat; its `ticket` and
    `author` are the instances the service wrote with."""
    _local.written = (message.pk, message, session)


def forget() -> None:
    _local.written = None


def recall(message_id: int) -> tuple[Message, ChatSession] | None:
    """The message and chat remembered for `message_id` in this thread (once), or None."""
    written = getattr(_local, "written", None)
    if written is None or written[0] != message_id:
        return None
    _local.written = None
    return written[1], written[2]
