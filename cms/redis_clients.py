"""The cache and the broker on Redis, with one client per connection pool, not per command.

Django's Redis cache and kombu's Redis transport build a new `redis.Redis` for every
operation. Since redis-py 5 each one fills a table of ~170 response callbacks: about
0.15 ms of CPU, paid twice per action (the rate limit and the task's publication) and once
per cached page view, which made it one of the costliest steps of taking an action. A
client holds no connection of its own (it borrows one from its pool for each command), so
one client per pool serves every request and thread of a process alike.

Settings use these classes only when the cache or the broker is on Redis.
"""

from contextlib import contextmanager

from django.core.cache.backends import redis as django_redis
from kombu.transport import redis as kombu_redis


class _OneClientPerPool(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}  # id of a pool (kept in self._pools) -> its client

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    """Django's Redis cache backend (CACHES BACKEND), reusing its clients."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _OneClientPerPool


class Channel(kombu_redis.Channel):
    _shared_client = None

    @contextmanager
    def conn_or_acquire(self, client=None):
        if client is None:
            # The pool is replaced after a fork or a failed connection: follow it.
            if self._shared_client is None or self._shared_client.connection_pool is not self.pool:
                self._shared_client = self._create_client()
            client = self._shared_client
        yield client


class Transport(kombu_redis.Transport):
    """kombu's Redis transport (CELERY_BROKER_TRANSPORT), reusing its publishing client."""

    Channel = Channel
