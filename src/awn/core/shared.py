"""Values each process builds once from the database and rebuilds when any process announces a change.

Routing's automatic teams, the automation rules, the SLA policies, the business calendars and the desk's
choices are read on every ticket event or page and change a few times a day. Each process keeps its own
copy (a `ProcessCopy`); a change saves a fresh token under the copy's key in the shared cache (`changed()`,
from the service that made it, once in the transaction and again on commit), and a process rebuilds when
the token it finds differs from the one it built under.

Reading the token is free with the in-process cache of the embedded size, so there every use reads it. With
Redis (several processes) each read is a round trip and a few hundred microseconds of CPU (five copies were
read ~six times per new ticket: a third of the creation's cost over the embedded size), so a process reads the
token at most once per `RECHECK_SECONDS`: a change made in another process is seen within that time, a change
made in this one at once. A token that is missing (a restarted or flushed cache) starts a new generation:
every process rebuilds rather than trust a copy built before the flush.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Generic, TypeVar

from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache

T = TypeVar("T")

# How stale a copy may be after another process changed it (Redis only: the local cache is checked each use).
RECHECK_SECONDS = 1.0


class ProcessCopy(Generic[T]):
    """This process's copy of a value `build()` makes, valid while the token under `key` stays the same."""

    def __init__(
        self,
        key: str,
        build: Callable[[], T],
        *,
        cache: BaseCache | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.key = key
        self._build = build
        self._cache = cache
        self._clock = clock
        # (the token the value was built under, the value): one attribute, replaced whole, so that a thread
        # never reads a token with another generation's value.
        self._built: tuple[str, T] | None = None
        self._checked_at = float("-inf")

    @property
    def cache(self) -> BaseCache:
        return self._cache if self._cache is not None else caches["default"]

    def get(self) -> T:
        """The copy, rebuilt first if some process announced a change since it was built."""
        now, built = self._clock(), self._built
        if built is not None and now - self._checked_at < self._recheck_seconds():
            return built[1]
        token = self._current_token()
        if built is None or built[0] != token:
            built = self._built = (token, self._build())
        self._checked_at = now
        return built[1]

    def changed(self) -> None:
        """Announce a change: every process rebuilds (this one on its next use)."""
        self.cache.set(self.key, uuid.uuid4().hex, None)
        self.forget()

    def forget(self) -> None:
        """Rebuild this process's copy on its next use (tests that write without the services)."""
        self._built = None

    def _current_token(self) -> str:
        token = self.cache.get(self.key)
        if token is None:
            # A fresh token never repeats one seen before the flush (as a counter restarting at 0 would).
            self.cache.add(self.key, uuid.uuid4().hex, None)
            token = self.cache.get(self.key)
        return token

    def _recheck_seconds(self) -> float:
        return 0.0 if isinstance(self.cache, LocMemCache) else RECHECK_SECONDS
