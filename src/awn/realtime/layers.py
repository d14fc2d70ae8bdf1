"""The embedded size's channel layer: Channels' in-memory layer without its per-message sweep.

Channels' InMemoryChannelLayer walks every queue and every group membership of the process on each
`receive` and `group_send`, to drop expired messages and memberships. With a thousand widget sockets (each in
a group of its own) and the desk's groups, that walk ran for every message every connection received, and cost
more than the chat itself (bench/chat_bench.py: ~150 ms of CPU per round trip with 1,000 connections against
~40 ms with 40). Here the sweep runs at most once a second, and a group send puts the message straight into
each member's queue instead of starting a task per member.
"""

from __future__ import annotations

import contextlib
import time

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer


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

    async def group_send(self, group, message):
        assert isinstance(message, dict), "Message is not a dict"
        self.require_valid_group_name(group)
        self._clean_expired()
        for channel in list(self.groups.get(group, {})):
            with contextlib.suppress(ChannelFull):  # a full queue drops, as Channels' own layer does
                await self.send(channel, message)
