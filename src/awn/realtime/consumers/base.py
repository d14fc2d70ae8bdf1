"""A JSON websocket consumer that survives anything a client sends.

Each frame is checked (text, size, JSON object with a string "type", a known type, the connection's rate)
before a handler sees it; a bad frame, a refused request (DomainError) or a bug in a handler produces an error
frame `{"type": "error", "code": …, "message": …}` and the connection stays up. Channel-layer messages are
guarded the same way, so one broken broadcast cannot end a connection either.
"""

from __future__ import annotations

import json
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import SyncToAsync
from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.db import connections
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from awn.connectors.chat.limits import FrameBucket
from awn.core.errors import DomainError
from awn.realtime.broadcast import remember_server_loop

log = logging.getLogger(__name__)
# After this many refused frames in a row the client is not a widget having a bad moment: close.
MAX_CONSECUTIVE_ERRORS = 50
# A frame's database call keeps its thread's connection this long (at least), instead of closing it after
# every call as Channels' database_sync_to_async does with CONN_MAX_AGE=0: opening a SQLite connection and
# running its PRAGMAs costs ~2.7 ms of CPU, more than most frames' queries.
KEEP_CONNECTION_SECONDS = 300.0


def keep_or_close_connections() -> None:
    """After a frame's database call: close a connection that is broken, left outside autocommit or older
    than its keeping time (Django's close_if_unusable_or_obsolete, KEEP_CONNECTION_SECONDS as the age)."""
    now = time.monotonic()
    for conn in connections.all(initialized_only=True):
        if conn.connection is None:
            continue
        kept = getattr(conn, "awn_kept", None)
        if kept is None or kept[0] is not conn.connection:
            kept = conn.awn_kept = (conn.connection, now)
        max_age = conn.settings_dict.get("CONN_MAX_AGE", 0)
        obsolete = max_age is not None and now - kept[1] >= max(max_age, KEEP_CONNECTION_SECONDS)
        broken = conn.errors_occurred and not conn.is_usable()
        if obsolete or broken or conn.get_autocommit() != conn.settings_dict["AUTOCOMMIT"]:
            conn.close()
        else:
            conn.errors_occurred = False


class ConnectionKeepingSyncToAsync(SyncToAsync):
    """SyncToAsync that keeps a healthy database connection of its thread for the next call."""

    def thread_handler(self, loop: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().thread_handler(loop, *args, **kwargs)
        finally:
            keep_or_close_connections()


class JsonFrameConsumer(AsyncWebsocketConsumer):
    frame_handlers: dict[str, str] = {}
    language = settings.LANGUAGE_CODE

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bucket = FrameBucket(
            rate=settings.AWN_CHAT_FRAMES_PER_SECOND, burst=settings.AWN_CHAT_FRAMES_PER_SECOND * 2
        )
        self.errors_in_a_row = 0
        self.seen_events: deque[str] = deque(maxlen=64)
        remember_server_loop()

    # --- sending -------------------------------------------------------------------------------------

    async def send_json(self, data: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(data, ensure_ascii=False, separators=(",", ":")))

    async def send_error(self, code: str, message: str, *, ref: Any = None) -> None:
        frame: dict[str, Any] = {"type": "error", "code": code, "message": message}
        if isinstance(ref, (str, int)) and len(str(ref)) <= 64:
            frame["ref"] = ref
        await self.send_json(frame)

    def in_language(self, function: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
        """`function` run in the database thread, with this connection's language active (error texts)."""
        language = self.language

        def run(*args: Any, **kwargs: Any) -> Any:
            with translation.override(language):
                return function(*args, **kwargs)

        # Not thread-sensitive: each connection awaits its own calls in order, and calls of different
        # connections run side by side on the default pool, so an agent's answer does not queue behind the
        # after-commit reactions to a visitor's message (the database serializes the writes itself).
        return ConnectionKeepingSyncToAsync(run, thread_sensitive=False)

    # --- receiving -----------------------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        frame: Any = None
        try:
            frame = self._parse(text_data, bytes_data)
            if frame is None:
                return await self._refused()
            handler = getattr(self, self.frame_handlers[frame["type"]])
            await handler(frame)
            self.errors_in_a_row = 0
        except DomainError as exc:
            await self.send_error(
                exc.code, exc.message, ref=frame.get("ref") if isinstance(frame, dict) else None
            )
            await self._refused(sent=True)
        except Exception:
            log.exception("websocket frame failed (%s)", type(self).__name__)
            with translation.override(self.language):
                await self.send_error("internal", _("Something went wrong; please try again."))
            await self._refused(sent=True)

    def _parse(self, text_data: str | None, bytes_data: bytes | None) -> dict[str, Any] | None:
        if text_data is None:
            self._pending = ("bad_frame", gettext_lazy("Frames are JSON text."))
            return None
        if len(text_data) > settings.AWN_CHAT_MAX_FRAME_CHARS:
            self._pending = ("frame_too_large", gettext_lazy("This frame is too large."))
            return None
        if not self.bucket.take():
            self._pending = ("rate_limited", gettext_lazy("You are sending too fast; please wait a moment."))
            return None
        try:
            frame = json.loads(text_data)
        except ValueError:
            self._pending = ("bad_frame", gettext_lazy("This frame is not valid JSON."))
            return None
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            self._pending = ("bad_frame", gettext_lazy('A frame is a JSON object with a "type".'))
            return None
        if frame["type"] not in self.frame_handlers:
            self._pending = ("unknown_type", gettext_lazy("Unknown frame type."))
            return None
        return frame

    async def _refused(self, *, sent: bool = False) -> None:
        if not sent:
            code, message = self._pending
            with translation.override(self.language):
                await self.send_error(code, str(message))
        self.errors_in_a_row += 1
        if self.errors_in_a_row >= MAX_CONSECUTIVE_ERRORS:
            await self.close(code=4408)

    # --- channel-layer messages --------------------------------------------------------------------------

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels' dispatch first closes stale database connections, a hop to a worker thread for every
        # message; these consumers touch the database only inside their `in_language` calls, which do that
        # themselves. With a notice fanned out to every agent of a team, the hops cost more than the notices.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        if message["type"].startswith("websocket."):
            await handler(message)  # connect/disconnect plumbing: Channels handles what it raises
            return
        try:
            await handler(message)
        except Exception:
            log.exception("channel-layer message failed (%s)", type(self).__name__)

    def first_time(self, event_id: str | None) -> bool:
        """False for a copy of an event already handled (it came through another group)."""
        if not event_id:
            return True
        if event_id in self.seen_events:
            return False
        self.seen_events.append(event_id)
        return True


def positive_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**53 else None


def short_text(value: Any, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""
