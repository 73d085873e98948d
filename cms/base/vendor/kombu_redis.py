"""kombu's Redis channel reusing its publishing client.

kombu 5's `Channel.conn_or_acquire` builds a new `redis.Redis` (through the private
`_create_client`) for every publish that is not given one; each costs redis-py's callback
table, like the cache (cms/base/vendor/django_redis.py).
"""

from contextlib import contextmanager

from kombu.transport import redis as kombu_redis

LIBRARY = "kombu"
TESTED = ((5, 7),)
UPSTREAM = "kombu/transport/redis.py, Channel.conn_or_acquire (no issue filed)"


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
