"""The production cache backend (allmende.ops.cache): Django's Redis cache with one kept client."""

import os
import threading

import pytest

from allmende.ops.cache import RedisCache


@pytest.fixture
def redis_cache():
    backend = RedisCache(os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15"), {})
    backend.clear()
    yield backend
    backend.clear()


def test_one_client_serves_every_call(redis_cache):
    redis_cache.set("page", b"<html>", timeout=30)
    assert redis_cache.get("page") == b"<html>"
    client = redis_cache._cache.get_client()
    assert redis_cache._cache.get_client(write=True) is client
    assert redis_cache.get_many(["page", "missing"]) == {"page": b"<html>"}


def test_threads_sharing_the_kept_client_lose_no_increment(redis_cache):
    """App servers run several threads per process: counters (rate limits) stay exact."""
    redis_cache.set("counter", 0, timeout=60)
    barrier = threading.Barrier(8)

    def count():
        barrier.wait()
        for _ in range(250):
            redis_cache.incr("counter")

    threads = [threading.Thread(target=count) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert redis_cache.get("counter") == 2000


def test_a_counter_counts_in_one_round_trip_and_expires(redis_cache):
    """Rate limits count with count(): created at 0, readable with get(), gone after its time."""
    assert [redis_cache.count("limit", 60) for _ in range(3)] == [1, 2, 3]
    assert redis_cache.get("limit") == 3
    client = redis_cache._cache.get_client()
    assert 0 < client.ttl(redis_cache.make_and_validate_key("limit")) <= 60
