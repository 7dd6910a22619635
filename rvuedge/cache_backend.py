"""Django's Redis cache, degrading to a miss when Redis is unreachable.

The cache only ever saves work: when Redis is down, a page is computed instead of read, and a
write is dropped, so every page still answers. Rate limits and locks kept in the cache let
requests through while it is down (they fail open). After a failure the cache is skipped for a
few seconds (no request waits on a dead server more than once per pause), and each outage is
logged.

Django's Redis client makes a new redis.Redis object for every call, and redis-py builds a
table of some two hundred response callbacks in each: a fifth of a millisecond, more than the
round trip to Redis. One redis.Redis per connection pool is made here and kept (it is safe to
share between threads; the pool hands each command its own connection).

Values over a couple of kilobytes are stored compressed (CompressingSerializer, named in
settings.CACHES), and `existing(keys)` says which keys are held without reading their values.
"""

import logging
import pickle
import time
import zlib

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient, RedisSerializer
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

PAUSE_SECONDS = 5.0
COMPRESS_OVER = 2048  # bytes of pickle; a code page's fragments are some 40 KB
COMPRESSED = b"z:"  # marks a compressed value (a pickle starts with 0x80, an integer with a digit)


class CompressingSerializer(RedisSerializer):
    """Django's serializer, with large values compressed (zlib, fastest level): a rendered page
    takes about a quarter of the memory, so the bounded cache holds every code page of a data
    version. Integers stay plain, for incr()."""

    def dumps(self, obj):
        data = super().dumps(obj)
        if isinstance(data, bytes) and len(data) > COMPRESS_OVER:
            return COMPRESSED + zlib.compress(data, 1)
        return data

    def loads(self, data):
        if data[:2] == COMPRESSED:
            return pickle.loads(zlib.decompress(data[2:]))
        return super().loads(data)


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's client, with one redis.Redis per connection pool instead of one per call."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    _down_until = 0.0  # shared by every instance in the process: one Redis behind them all

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient

    def _guard(self, default, method, *args, **kwargs):
        if time.monotonic() < ResilientRedisCache._down_until:
            return default
        try:
            return method(*args, **kwargs)
        except (RedisError, OSError) as exc:
            ResilientRedisCache._down_until = time.monotonic() + PAUSE_SECONDS
            logger.warning("Cache unavailable, serving without it for %ss: %s", PAUSE_SECONDS, exc)
            return default

    def get(self, key, default=None, version=None):
        return self._guard(default, super().get, key, default, version)

    def existing(self, keys, version=None) -> set[str] | None:
        """Which of `keys` Redis holds (EXISTS, pipelined: no value is read); None while Redis
        is unreachable."""

        def look():
            client = self._cache.get_client(write=False)
            pipe = client.pipeline(transaction=False)
            for key in keys:
                pipe.exists(self.make_and_validate_key(key, version=version))
            return {key for key, found in zip(keys, pipe.execute(), strict=True) if found}

        return self._guard(None, look)

    def get_many(self, keys, version=None):
        return self._guard({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._guard(False, super().has_key, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # Locks taken with add (allauth's rate limits) are granted: with no shared cache there
        # is nothing to coordinate, and refusing them would refuse every sign-in.
        return self._guard(True, super().add, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard([], super().set_many, data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._guard(False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        return self._guard(None, super().delete_many, keys, version)

    def incr(self, key, delta=1, version=None):
        # A counter that cannot be read counts nothing: limits built on it let the request in.
        return self._guard(0, super().incr, key, delta, version)

    def clear(self):
        return self._guard(None, super().clear)
