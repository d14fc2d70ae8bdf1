"""Fixed-window rate limits kept in the cache (shared by every process once AWN_REDIS_URL is set)."""

from __future__ import annotations

from django.core.cache import cache


def _key(bucket: str, identity: str) -> str:
    return f"awn:rate:{bucket}:{identity}"


def is_limited(bucket: str, identity: str, *, limit: int) -> bool:
    """Has `identity` already used its `limit` hits in `bucket`'s current window?"""
    return cache.get(_key(bucket, identity), 0) >= limit


def hit(bucket: str, identity: str, *, window: int) -> int:
    """Count one hit; the window starts with the first hit and lasts `window` seconds. Returns the count."""
    key = _key(bucket, identity)
    if cache.add(key, 1, window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        return 1


def reset(bucket: str, identity: str) -> None:
    cache.delete(_key(bucket, identity))
