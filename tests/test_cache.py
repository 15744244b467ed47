"""The cache is Django's Redis backend keeping one client per connection pool (config/cache.py), on the real
Redis the tests run against."""

from django.core.cache import caches

from config.cache import RedisCache


def test_the_cache_is_redis_and_reads_back_what_it_wrote():
    cache = caches["default"]
    assert isinstance(cache, RedisCache)
    cache.set("test-cache-key", {"amount": "12.34"}, 30)
    cache.set("test-cache-counter", 1, 30)
    assert cache.get("test-cache-key") == {"amount": "12.34"}
    assert cache.incr("test-cache-counter") == 2
    cache.delete_many(["test-cache-key", "test-cache-counter"])
    assert cache.get("test-cache-key") is None


def test_the_redis_client_is_built_once_per_connection_pool():
    client = caches["default"]._cache
    assert client.get_client(write=True) is client.get_client(write=True)
    assert client.get_client("any-key") is client.get_client("another-key")
