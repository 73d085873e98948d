"""The cache and the broker on Redis work through one client per pool (cms/redis_clients.py)."""

import uuid

import pytest
from kombu import Connection

from cms import redis_clients

pytestmark = pytest.mark.redis


def test_the_cache_answers_as_djangos_through_one_client(redis_cache):
    redis_cache.set("value", {"count": 1}, 30)
    assert redis_cache.get("value") == {"count": 1}
    assert redis_cache.add("value", "other", 30) is False
    redis_cache.set("counter", 1, 30)
    assert redis_cache.incr("counter") == 2
    redis_cache.delete("value")
    assert redis_cache.get("value") is None

    backend = redis_cache._cache
    assert backend.get_client(write=True) is backend.get_client(write=False)


def test_the_settings_use_these_classes_on_redis(settings):
    from cms.celery import app

    assert settings.CELERY_BROKER_TRANSPORT == "cms.redis_clients:Transport"
    with app.connection_for_write() as connection:
        assert isinstance(connection.transport, redis_clients.Transport)


def test_the_broker_publishes_and_delivers_through_one_client(settings):
    name = f"clarion-test-{uuid.uuid4().hex}"
    with Connection(settings.CELERY_BROKER_URL, transport=redis_clients.Transport) as connection:
        queue = connection.SimpleQueue(name)
        try:
            queue.put({"signature": 1})
            queue.put({"signature": 2})
            received = [queue.get(timeout=5) for _ in range(2)]
            for message in received:
                message.ack()
            assert [message.payload for message in received] == [
                {"signature": 1},
                {"signature": 2},
            ]
            channel = queue.channel
            with channel.conn_or_acquire() as first, channel.conn_or_acquire() as second:
                assert first is second
                assert first.connection_pool is channel.pool
        finally:
            queue.queue.delete()
            queue.close()
