"""The cache and the broker on Redis work through one client per pool (cms/base/redis_clients.py)."""

import os
import threading
import uuid

import pytest
from django.core.cache import caches
from kombu import Connection
from redis.exceptions import ResponseError

from cms.base import redis_clients

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

    assert settings.CELERY_BROKER_TRANSPORT == "cms.base.redis_clients:Transport"
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


# The action path's round trip on a connection of the thread's own (RedisCache.pipelined) ---


def _client_id(backend) -> int:
    """The server's id of the connection `pipelined` uses on this thread."""
    [client_id] = backend.pipelined(("CLIENT", "ID"))
    return client_id


def test_pipelined_replies_come_back_in_the_order_of_the_commands(redis_cache):
    backend = caches["default"]  # the object itself: the proxy is per thread
    count, word, items = (backend.make_and_validate_key(name) for name in ("c", "w", "l"))

    replies = backend.pipelined(
        ("INCR", count),
        ("EXPIRE", count, 60, "NX"),
        ("SET", word, "first"),
        ("INCR", count),
        ("GET", word),
        ("LPUSH", items, 1),
        ("LPUSH", items, 2),
        ("TTL", count),
    )

    assert replies[:7] == [1, 1, b"OK", 2, b"first", 1, 2]
    assert 0 < replies[7] <= 60


def test_pipelined_keeps_its_connection_and_connects_again_after_the_server_drops_it(
    redis_cache,
):
    backend = caches["default"]  # the object itself: the proxy is per thread
    count = backend.make_and_validate_key("count")
    first = _client_id(backend)
    assert _client_id(backend) == first  # kept, not taken from the pool each time

    other = redis_cache._cache.get_client(write=True)
    assert other.client_kill_filter(_id=first) == 1

    assert backend.pipelined(("INCR", count), ("INCR", count)) == [1, 2]
    assert _client_id(backend) != first


def test_a_command_error_raises_and_leaves_no_reply_for_the_next_call(redis_cache):
    backend = caches["default"]  # the object itself: the proxy is per thread
    items, count, word = (backend.make_and_validate_key(name) for name in ("l", "c", "w"))
    backend.pipelined(("RPUSH", items, "x"), ("SET", word, "kept"))

    with pytest.raises(ResponseError, match="WRONGTYPE"):
        backend.pipelined(("INCR", items), ("INCR", count))

    # The second command's reply was never read: had the connection stayed, it would answer
    # the next call's first command.
    assert backend.pipelined(("GET", word), ("GET", count)) == [b"kept", b"1"]


def test_each_thread_has_a_connection_of_its_own(redis_cache):
    backend = caches["default"]  # the object itself: the proxy is per thread
    mine = _client_id(backend)
    theirs = []
    thread = threading.Thread(target=lambda: theirs.append(_client_id(backend)))
    thread.start()
    thread.join(10)

    assert len(theirs) == 1 and theirs[0] != mine
    assert _client_id(backend) == mine


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_process_makes_its_own_connection(redis_cache):
    backend = caches["default"]  # the object itself: the proxy is per thread
    parents = _client_id(backend)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: answers its connection's id, whatever happens, and leaves
        try:
            os.write(write_end, str(_client_id(backend)).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        childs = pipe.read()
    os.waitpid(pid, 0)

    assert childs.isdigit() and int(childs) != parents
    # Sharing the parent's socket, the child would also have taken a reply meant for it.
    assert _client_id(backend) == parents
