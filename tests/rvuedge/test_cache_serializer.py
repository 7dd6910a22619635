"""The cache's serializer compresses large values (rendered pages) and leaves the rest as
Django's would; the Redis cache says which keys it holds without reading them."""

import pickle

import pytest
from django.core.cache import cache, caches

from rvuedge.cache_backend import COMPRESSED, CompressingSerializer, ResilientRedisCache

PAGE = {"main": "<section><h2>Work RVU</h2><p>1.92</p></section>\n" * 800}


def test_a_large_value_is_stored_compressed_and_read_back_whole():
    serializer = CompressingSerializer()

    stored = serializer.dumps(PAGE)

    assert stored.startswith(COMPRESSED)
    assert len(stored) < len(pickle.dumps(PAGE)) / 4
    assert serializer.loads(stored) == PAGE


@pytest.mark.parametrize("value", ["short", {"a": 1}, 1.5, True, None, b"bytes"])
def test_small_values_are_plain_pickles(value):
    serializer = CompressingSerializer()

    stored = serializer.dumps(value)

    assert stored == pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
    assert serializer.loads(stored) == value


def test_integers_stay_plain_for_incr():
    serializer = CompressingSerializer()

    assert serializer.dumps(41) == 41
    assert serializer.loads(b"41") == 41


@pytest.mark.postgres  # the services lane: the cache is Redis
def test_redis_holds_the_compressed_bytes_and_counts_stay_atomic():
    assert isinstance(caches["default"], ResilientRedisCache)
    cache.set("serializer:page", PAGE, 60)
    cache.set("serializer:count", 1, 60)
    cache.incr("serializer:count")

    raw = cache._cache.get_client().get(cache.make_and_validate_key("serializer:page"))
    assert raw.startswith(COMPRESSED) and len(raw) < len(pickle.dumps(PAGE)) / 4
    assert cache.get("serializer:page") == PAGE
    assert cache.get("serializer:count") == 2


@pytest.mark.postgres
def test_existing_names_the_keys_held_without_reading_them():
    cache.set_many({"held:a": PAGE, "held:b": 0}, 60)
    cache.delete("held:c")

    assert cache.existing(["held:a", "held:b", "held:c"]) == {"held:a", "held:b"}
