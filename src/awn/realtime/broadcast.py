"""Sending to channel-layer groups from synchronous code (event handlers, services, job threads).

Domain event handlers run after commit in whatever thread made the change: a request's thread, a consumer's
database thread, a job worker. The in-memory channel layer only works on the event loop of the server that
holds the sockets, so the first consumer records that loop and starts one sender task on it; sync code hands
its batches to that task without waiting (a busy loop never holds a database thread), and the single task
keeps them in the order they were made. A process without a server loop (an `awn worker` on Redis, a
management command) sends on a loop of its own and waits.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer

log = logging.getLogger(__name__)
Batch = list[tuple[str, dict[str, Any]]]

_server_loop: asyncio.AbstractEventLoop | None = None
_outbox: asyncio.Queue[Batch] | None = None


def remember_server_loop() -> None:
    """Called by consumers (on the server's loop): start the sender that sync code hands its batches to."""
    global _server_loop, _outbox
    loop = asyncio.get_running_loop()
    if _server_loop is loop and _outbox is not None:
        return
    _server_loop = loop
    _outbox = asyncio.Queue()
    loop.create_task(_sender(_outbox), name="awn-realtime-sender")


async def _sender(queue: asyncio.Queue[Batch]) -> None:
    while True:
        batch = await queue.get()
        await _send_all(batch)


def new_event_id() -> str:
    return uuid.uuid4().hex[:16]


async def _send_all(items: Batch) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    for group, message in items:
        try:
            await layer.group_send(group, message)
        except Exception:  # one unreachable group must not stop the others
            log.exception("sending to group %s failed", group)


def anyone_listening() -> bool:
    """False only when nobody can receive a broadcast: the in-memory layer of this process has no group
    member (no desk or widget socket is open here), so a handler need not read or build anything. Other
    layers (Redis) reach other processes: there, someone may always be listening."""
    layer = get_channel_layer()
    if layer is None:
        return False
    if isinstance(layer, InMemoryChannelLayer):
        # Memberships are added on the server's loop; copying the values is one step under the GIL.
        return any(list(layer.groups.values()))
    return True


def send_to_groups(items: Iterable[tuple[str, dict[str, Any]]]) -> None:
    """Send each (group, message), in order, after any batch handed over before it."""
    batch = list(items)
    if not batch:
        return
    loop, outbox = _server_loop, _outbox
    if loop is not None and outbox is not None and loop.is_running() and not loop.is_closed():
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            outbox.put_nowait(batch)
        else:
            loop.call_soon_threadsafe(outbox.put_nowait, batch)
        return
    try:
        async_to_sync(_send_all)(batch)
    except Exception:
        log.exception("real-time broadcast failed")
