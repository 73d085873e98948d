"""The cache and the broker on Redis, with one client per connection pool, not per command.

Django's Redis cache and kombu's Redis transport build a new `redis.Redis` for every
operation. Since redis-py 5 each one fills a table of ~170 response callbacks: about
0.15 ms of CPU, paid twice per action (the rate limit and the task's publication) and once
per cached page view, which made it one of the costliest steps of taking an action. A
client holds no connection of its own (it borrows one from its pool for each command), so
one client per pool serves every request and thread of a process alike.

The action path's one round trip (the rate limit's count) goes further: `RedisCache.pipelined`
sends it on a connection of the thread's own, kept open, instead of taking one from the pool
and putting it back, which costs redis-py more than writing and reading the commands.

Settings use these classes only when the cache or the broker is on Redis.
"""

import os
import threading

from django.core.cache import cache, caches
from django.core.cache.backends import redis as django_redis
from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError, TimeoutError

from .vendor import django_redis as patched_cache
from .vendor import kombu_redis as patched_kombu


class RedisCache(django_redis.RedisCache):
    """Django's Redis cache backend (CACHES BACKEND), reusing its clients."""

    def __init__(self, server, params):
        super().__init__(server, params)
        patched_cache.use_one_client_per_pool(self)
        self._own = threading.local()  # this thread's connection to the primary, and its pid

    def client(self, key):
        """The redis-py client for `key` (made with make_and_validate_key), for commands the
        cache API lacks (a hash, a blocking pop)."""
        return patched_cache.client(self, key)

    def pipelined(self, *commands: tuple) -> list:
        """The replies to `commands` (such as `("INCR", key)`, keys made with
        make_and_validate_key), sent to the primary server in one round trip.

        On this thread's own connection, made from the pool's settings and kept open; one
        that has gone stale (a restarted server, a timeout) is made afresh once.
        """
        connection = self._connection()
        try:
            return self._send(connection, commands)
        except (ConnectionError, TimeoutError):
            return self._send(connection, commands)  # sending connects it again

    @staticmethod
    def _send(connection, commands) -> list:
        try:
            connection.send_packed_command(connection.pack_commands(commands))
            return [connection.read_response() for _command in commands]
        except BaseException:
            connection.disconnect()  # replies left unread would answer the next commands
            raise

    def _connection(self):
        own = self._own
        if getattr(own, "pid", None) != os.getpid():  # none yet, or one of the parent's
            own.connection = patched_cache.new_connection(self)
            own.pid = os.getpid()
        return own.connection


class Transport(kombu_redis.Transport):
    """kombu's Redis transport (CELERY_BROKER_TRANSPORT), reusing its publishing client."""

    Channel = patched_kombu.Channel


def count_in_window(key: str, timeout: int, also=None) -> int:
    """Add one to a counter that expires `timeout` seconds after its first count.

    On Redis one INCR + EXPIRE NX in a single round trip (Django's incr() needs two), with
    the commands `also()` returns in the same round trip; elsewhere (tests, development)
    through the cache API, without them.
    """
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        redis_key = backend.make_and_validate_key(key)
        extra = also() if also else ()
        return backend.pipelined(("INCR", redis_key), ("EXPIRE", redis_key, timeout, "NX"), *extra)[
            0
        ]
    try:
        return cache.incr(key)
    except ValueError:  # the first count
        return 1 if cache.add(key, 1, timeout) else cache.incr(key)
