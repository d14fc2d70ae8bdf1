"""The chat message a service has just written, handed to the broadcasts of its own commit.

A chat message's broadcasts (realtime/events.py) run after commit in the thread that wrote it, and need the
message, its author, its ticket and the ticket's chat: read back, that was a four-table query of ~2 ms of CPU
per message (half of the real-time work of a chat exchange). The chat services hold those objects already, as
they were written: they leave them here (`remember`), and the broadcast of that message takes them (`recall`)
instead of reading them again. Anything else — another thread, another message, a message with files — reads
from the database as before.

Per thread: the broadcast runs in the thread of the transaction that wrote the message. Ids are never reused
(SQLite AUTOINCREMENT, PostgreSQL sequences), so what a rolled-back transaction left here is never taken for
another message; the next `remember` of the thread replaces it.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from awn.connectors.chat.models import ChatSession
    from awn.tickets.models import Message

_local = threading.local()


def remember(message: Message, session: ChatSession) -> None:
    """`message` (text only: its attachments are not loaded) was just written in `session`'s chat; its
    `ticket` and `author` are the instances the service wrote with."""
    _local.written = (message.pk, message, session)


def recall(message_id: int) -> tuple[Message, ChatSession] | None:
    """The message and chat remembered for `message_id` in this thread (once), or None."""
    written = getattr(_local, "written", None)
    if written is None or written[0] != message_id:
        return None
    _local.written = None
    return written[1], written[2]
