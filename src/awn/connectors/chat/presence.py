"""Is a visitor's widget connected right now? Counted in the cache, shared by every process with Redis.

Each open widget socket counts one; the count expires unless heartbeats refresh it, so a process that dies
with open sockets cannot leave a visitor "online" for long. An agent's answer to a visitor who is not
connected continues by email (when we know their address); while they are, it is delivered live only.
"""

from __future__ import annotations

from django.core.cache import cache

TTL_SECONDS = 90


def _key(visitor_id: int) -> str:
    return f"awn:chat:live:{visitor_id}"


def visitor_connected(visitor_id: int) -> None:
    key = _key(visitor_id)
    cache.add(key, 0, TTL_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, TTL_SECONDS)
    cache.touch(key, TTL_SECONDS)


def visitor_heartbeat(visitor_id: int) -> None:
    key = _key(visitor_id)
    if not cache.touch(key, TTL_SECONDS):
        cache.set(key, 1, TTL_SECONDS)


def visitor_disconnected(visitor_id: int) -> None:
    key = _key(visitor_id)
    try:
        if cache.decr(key) <= 0:
            cache.delete(key)
    except ValueError:
        pass


def visitor_is_live(visitor_id: int) -> bool:
    return (cache.get(_key(visitor_id)) or 0) > 0
