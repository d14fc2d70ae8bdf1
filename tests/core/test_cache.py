"""The Redis cache backend (awn.core.cache): one connection pool per process, whatever the context."""

import contextvars

from django.core.cache import caches

from awn.core.cache import RedisCache


def test_cache_objects_of_fresh_request_contexts_share_one_pool_and_its_connections(redis_url):
    """Each HTTP request runs in a fresh copy of the loop's context (config/wsgi_pool.py), where Django makes
    a new cache object: they must not each open a connection of their own."""

    def one_request(value: str):
        cache = RedisCache(redis_url, {"KEY_PREFIX": "awn-test-cache"})
        cache.set("probe", value)
        assert cache.get("probe") == value
        return cache._cache._get_connection_pool(write=True)

    pools = [contextvars.copy_context().run(one_request, f"v{n}") for n in range(20)]

    assert all(pool is pools[0] for pool in pools)
    assert pools[0]._created_connections == 1  # one request at a time: one connection, reused
    RedisCache(redis_url, {"KEY_PREFIX": "awn-test-cache"}).delete("probe")


def test_cache_calls_of_every_context_share_one_redis_client(redis_url):
    """Django builds a Redis client for each call; one per pool serves every call of the process."""

    def one_request():
        cache = RedisCache(redis_url, {"KEY_PREFIX": "awn-test-cache"})
        return cache._cache.get_client(write=True), cache._cache.get_client()

    clients = [c for _ in range(5) for c in contextvars.copy_context().run(one_request)]

    assert all(client is clients[0] for client in clients)
    assert clients[0].connection_pool is RedisCache(redis_url, {})._cache._get_connection_pool(write=True)


def test_the_settings_use_it_for_redis():
    from django.conf import settings

    if settings.AWN_REDIS_URL:
        assert isinstance(caches["default"], RedisCache)
    else:
        assert settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")
