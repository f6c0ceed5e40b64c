"""The production cache backend (allmende.ops.cache): Django's Redis cache with one kept client."""

import threading
import warnings

import pytest

from tests.conftest import redis_test_backend


@pytest.fixture
def redis_cache():
    backend = redis_test_backend()
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
    """Rate limits count with count(): created at 0, readable with get(), gone after its time (counted
    from the first count: a later one does not put it off)."""
    assert [redis_cache.count("limit", 60) for _ in range(3)] == [1, 2, 3]
    assert redis_cache.get("limit") == 3
    client = redis_cache._cache.get_client()
    assert 0 < client.ttl(redis_cache.make_and_validate_key("limit")) <= 60
    client.delete(redis_cache.make_and_validate_key("limit"))  # as when its time has run out
    assert redis_cache.count("limit", 30) == 1  # counted afresh, with a time of its own again
    assert 0 < client.ttl(redis_cache.make_and_validate_key("limit")) <= 30


def test_clearing_one_prefix_leaves_another_sites_keys_on_the_same_database(redis_cache):
    """Two sites (or a test run and a benchmark) share one Redis database under different
    CACHE_KEY_PREFIXes: clearing one removes all of its own keys, of every version, and none of the
    other's; a prefix with glob characters is taken literally."""
    other = redis_test_backend("-other")
    starred = redis_test_backend("*")
    try:
        for number in range(1200):  # more than one batch
            redis_cache.set(f"page:{number}", number, timeout=60)
        redis_cache.set("page:0", "older", timeout=60, version=2)
        other.set("page:0", "theirs", timeout=60)
        starred.set("page:0", "starred", timeout=60)

        starred.clear()
        assert redis_cache.get("page:0") == 0 and other.get("page:0") == "theirs"
        assert starred.get("page:0") is None

        redis_cache.clear()
        client = redis_cache._cache.get_client()
        assert list(client.scan_iter(match=f"{redis_cache.key_prefix}:*")) == []
        assert redis_cache.get("page:0", version=2) is None
        assert other.get("page:0") == "theirs"
    finally:
        other.clear()
        starred.clear()


def test_any_key_is_taken_without_memcached_warnings(redis_cache):
    """Redis has no key limits: keys memcached would refuse (spaces, 300 characters) are stored and read
    back, without Django's warning meant for memcached."""
    key = "path with spaces:" + "x" * 300
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        redis_cache.set(key, 1, timeout=30)
        assert redis_cache.get(key) == 1
        assert redis_cache.get_many([key]) == {key: 1}
