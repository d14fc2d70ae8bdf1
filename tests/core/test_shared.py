"""Process copies (awn.core.shared): rebuilt when any process announces a change, read cheaply with Redis."""

import uuid

import pytest
from django.core.cache.backends.locmem import LocMemCache

from awn.core.cache import RedisCache
from awn.core.shared import RECHECK_SECONDS, ProcessCopy


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class CountingRedisCache(RedisCache):
    """The real Redis cache, counting the token reads."""

    reads = 0

    def get(self, key, default=None, version=None):
        self.reads += 1
        return super().get(key, default, version)


@pytest.fixture
def builds():
    return []


@pytest.fixture
def redis_cache(redis_url):
    cache = CountingRedisCache(redis_url, {"KEY_PREFIX": f"awn-test-shared-{uuid.uuid4().hex}"})
    yield cache
    cache.clear()


def copy_over(cache, builds, clock=None):
    def build():
        builds.append(len(builds) + 1)
        return f"generation {len(builds)}"

    return ProcessCopy("awn:test:version", build, cache=cache, clock=clock or Clock())


def test_the_copy_is_built_once_while_nothing_changes(builds):
    copy = copy_over(LocMemCache("shared-a", {}), builds)

    values = [copy.get() for _ in range(5)]

    assert values == ["generation 1"] * 5
    assert builds == [1]


def test_with_the_local_cache_another_change_of_the_token_is_seen_at_once(builds):
    cache = LocMemCache("shared-b", {})
    copy = copy_over(cache, builds)
    copy.get()

    cache.set("awn:test:version", "another process's token", None)

    assert copy.get() == "generation 2"


def test_with_redis_another_process_s_change_is_seen_within_the_recheck_interval(redis_cache, builds):
    clock = Clock()
    copy = copy_over(redis_cache, builds, clock)
    other_process = copy_over(redis_cache, [], Clock())
    copy.get()
    reads = redis_cache.reads

    other_process.changed()
    clock.now += RECHECK_SECONDS / 2
    before = copy.get()
    clock.now += RECHECK_SECONDS
    after = copy.get()

    assert before == "generation 1"
    assert after == "generation 2"
    assert redis_cache.reads == reads + 1  # the token read once, when the interval had passed


def test_with_redis_a_change_made_in_this_process_is_seen_at_once(redis_cache, builds):
    copy = copy_over(redis_cache, builds)
    copy.get()

    copy.changed()

    assert copy.get() == "generation 2"


def test_a_flushed_cache_starts_a_new_generation(redis_cache, builds):
    clock = Clock()
    copy = copy_over(redis_cache, builds, clock)
    copy.get()

    redis_cache.clear()
    clock.now += RECHECK_SECONDS * 2

    assert copy.get() == "generation 2"
    assert redis_cache.get("awn:test:version") is not None  # the new token every process now builds under


def test_forgetting_rebuilds_this_process_s_copy(builds):
    copy = copy_over(LocMemCache("shared-c", {}), builds)
    copy.get()

    copy.forget()

    assert copy.get() == "generation 2"
