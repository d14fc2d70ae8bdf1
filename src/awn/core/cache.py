"""Django's Redis cache with one connection pool per process and server (`awn.core.cache.RedisCache`).

Django keeps its cache objects per context (`caches` is an asgiref Local that is not thread-critical), and
each cache object opens its own connection pool. Awn serves every HTTP request in a fresh copy of the server
loop's context (config/wsgi_pool.py, so that one request's language or timezone never leaks into the next):
with Django's backend each request built a new cache object, a new pool and a new TCP connection to Redis for
its first cache read, and dropped them after. Here the pools live in the process, keyed by server and options,
and every cache object of the process takes its connections from the same one (redis-py's pools are safe to
share between threads, and start afresh in a forked child). The Redis client over a pool is shared too:
Django builds one for every cache call, which cost more CPU than the call's round trip.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient

_pools: dict[tuple[int, str, str], Any] = {}
_clients: dict[int, Any] = {}  # id(pool) → the Redis client over it; pools live as long as the process
_lock = threading.Lock()


class SharedPoolClient(RedisCacheClient):
    def _get_connection_pool(self, write: bool) -> Any:
        index = self._get_connection_pool_index(write)
        pool = self._pools.get(index)  # this client's own, once found: every cache call comes here
        if pool is None:
            server = self._servers[index]
            key = (os.getpid(), server, repr(sorted(self._pool_options.items(), key=lambda item: item[0])))
            with _lock:
                pool = _pools.get(key)
                if pool is None:
                    pool = _pools[key] = self._pool_class.from_url(server, **self._pool_options)
            self._pools[index] = pool
        return pool

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)
        client = _clients.get(id(pool))
        if client is None:
            with _lock:
                client = _clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = SharedPoolClient
