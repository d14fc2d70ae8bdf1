"""Abuse limits of the chat channel, read from settings (docs/configuration.md, AWN_CHAT_*).

Counters that must hold across processes (messages per visitor and per IP, new visitors per IP, uploads) live
in the cache, which is Redis once AWN_REDIS_URL is set. The per-connection frame limit is a token bucket in
the consumer itself: it protects the process that holds the socket and costs no round trip.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.utils.translation import gettext as _

from awn.connectors.chat.errors import RateLimited
from awn.core import ratelimit


def _check(bucket: str, identity: str, *, limit: int, window: int) -> None:
    if limit and ratelimit.hit(bucket, identity, window=window) > limit:
        raise RateLimited(_("You are sending too fast; please wait a moment."))


def check_visitor_message(*, visitor_id: int, ip: str) -> None:
    _check("chat-msg-visitor", str(visitor_id), limit=settings.AWN_CHAT_MESSAGES_PER_MINUTE, window=60)
    if ip:
        _check("chat-msg-ip", ip, limit=settings.AWN_CHAT_IP_MESSAGES_PER_MINUTE, window=60)


def check_new_visitor(*, ip: str) -> None:
    if ip:
        _check("chat-new-visitor", ip, limit=settings.AWN_CHAT_NEW_VISITORS_PER_HOUR, window=3600)


def check_connection(*, ip: str) -> None:
    if ip:
        _check("chat-connect", ip, limit=settings.AWN_CHAT_CONNECTIONS_PER_MINUTE, window=60)


def check_upload(*, visitor_id: int, ip: str) -> None:
    _check("chat-upload-visitor", str(visitor_id), limit=settings.AWN_CHAT_UPLOADS_PER_HOUR, window=3600)
    if ip:
        _check("chat-upload-ip", ip, limit=settings.AWN_CHAT_UPLOADS_PER_HOUR * 4, window=3600)


def check_transcript(*, visitor_id: int, ip: str) -> None:
    _check("chat-transcript", str(visitor_id), limit=3, window=3600)
    if ip:
        _check("chat-transcript-ip", ip, limit=10, window=3600)


class FrameBucket:
    """Token bucket for one connection: `rate` frames a second on average, bursts up to `burst`."""

    def __init__(self, *, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = float(burst)
        self.stamp = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False
