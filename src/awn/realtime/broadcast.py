"""Sending to channel-layer groups from synchronous code (event handlers, services, job threads).

Domain event handlers run after commit in whatever thread made the change: a request's thread, a consumer's
database thread, a job worker. The in-memory channel layer only works on the event loop of the server that
holds the sockets, so the first consumer records that loop and sends are handed to it; a process without a
server loop (an `awn worker` on Redis) sends on a loop of its own.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

log = logging.getLogger(__name__)
SEND_TIMEOUT_SECONDS = 5.0
_server_loop: asyncio.AbstractEventLoop | None = None


def remember_server_loop() -> None:
    """Called by consumers (on the server's loop) so that sync code can hand sends to it."""
    global _server_loop
    _server_loop = asyncio.get_running_loop()


def new_event_id() -> str:
    return uuid.uuid4().hex[:16]


async def _send_all(items: list[tuple[str, dict[str, Any]]]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    for group, message in items:
        try:
            await layer.group_send(group, message)
        except Exception:  # one unreachable group must not stop the others
            log.exception("sending to group %s failed", group)


def send_to_groups(items: Iterable[tuple[str, dict[str, Any]]]) -> None:
    """Send each (group, message) in order; returns when the layer has them (or after a timeout)."""
    batch = list(items)
    if not batch:
        return
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is not None:  # called from async code: do not block the loop
        running.create_task(_send_all(batch))
        return
    loop = _server_loop
    if loop is not None and loop.is_running() and not loop.is_closed():
        future = asyncio.run_coroutine_threadsafe(_send_all(batch), loop)
        try:
            future.result(timeout=SEND_TIMEOUT_SECONDS)
        except Exception:
            log.exception("real-time broadcast did not complete")
        return
    try:
        async_to_sync(_send_all)(batch)
    except Exception:
        log.exception("real-time broadcast failed")
