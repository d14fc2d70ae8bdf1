"""The embedded size's channel layer: Channels' in-memory layer without its per-message sweep.

Channels' InMemoryChannelLayer walks every queue and every group membership of the process on each
`receive` and `group_send`, to drop expired messages and memberships. With a thousand widget sockets (each in
a group of its own) and the desk's groups, that walk ran for every message every connection received, and cost
more than the chat itself (bench/chat_bench.py: ~150 ms of CPU per round trip with 1,000 connections against
~40 ms with 40). Here the sweep runs at most once a second, and a group send puts the message straight into
each member's queue instead of starting a task per member.

Each receiver gets its own copy of a message, as with Channels' layer (which `deepcopy`s it, and that was the
largest single cost of the event loop in bench/chat_bench.py), but copied as what a channel-layer message is:
dicts and lists of strings, numbers, booleans, None and bytes (what the Redis layer can serialize), the
immutable leaves shared; anything else is deep-copied as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from copy import deepcopy
from typing import Any

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer

_IMMUTABLE = frozenset((str, int, float, bool, bytes, type(None)))


def copy_message(value: Any) -> Any:
    """A copy of a channel-layer message no receiver can change for another: containers copied, leaves
    (immutable) shared."""
    kind = type(value)
    if kind in _IMMUTABLE:
        return value
    if kind is dict:
        return {key: copy_message(item) for key, item in value.items()}
    if kind is list:
        return [copy_message(item) for item in value]
    return deepcopy(value)


class SweepingInMemoryChannelLayer(InMemoryChannelLayer):
    sweep_interval = 1.0

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._last_sweep = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._last_sweep < self.sweep_interval:
            return
        self._last_sweep = now
        super()._clean_expired()

    async def send(self, channel, message):
        assert isinstance(message, dict), "message is not a dict"
        self.require_valid_channel_name(channel)
        assert "__asgi_channel__" not in message
        queue = self.channels.get(channel)
        if queue is None:
            queue = self.channels[channel] = asyncio.Queue(maxsize=self.get_capacity(channel))
        try:
            queue.put_nowait((time.time() + self.expiry, copy_message(message)))
        except asyncio.QueueFull:
            raise ChannelFull(channel) from None

    async def group_send(self, group, message):
        assert isinstance(message, dict), "Message is not a dict"
        self.require_valid_group_name(group)
        self._clean_expired()
        for channel in list(self.groups.get(group, {})):
            with contextlib.suppress(ChannelFull):  # a full queue drops, as Channels' own layer does
                await self.send(channel, message)
