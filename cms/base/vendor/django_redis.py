"""Django's Redis cache backend with one redis-py client per connection pool.

Django 5.2's `RedisCacheClient.get_client` builds a new `redis.Redis` for every operation,
and redis-py 5 fills a table of ~170 response callbacks for each: about 0.15 ms of CPU per
cache round trip (cms/base/redis_clients.py has the figures). The backend chooses its client
class through the private `RedisCache._class`, and the client its pool through the private
`_get_connection_pool`; the thread's own connection for pipelined round trips is made from
that pool's settings.
"""

from django.core.cache.backends import redis as django_redis

LIBRARY = "django"
TESTED = ((5, 2),)
UPSTREAM = "django/core/cache/backends/redis.py, RedisCacheClient.get_client (no issue filed)"


class OneClientPerPool(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}  # id of a pool (kept in self._pools) -> its client

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


def use_one_client_per_pool(backend) -> None:
    """Make `backend` (a RedisCache, in its __init__) build OneClientPerPool clients."""
    backend._class = OneClientPerPool


def client(backend, key):
    """The redis-py client that serves `key` (made with make_and_validate_key) for writes."""
    return backend._cache.get_client(key, write=True)


def new_connection(backend):
    """A connection of its own to the primary, with the pool's settings (not from the pool)."""
    pool = backend._cache._get_connection_pool(write=True)
    return pool.connection_class(**pool.connection_kwargs)
