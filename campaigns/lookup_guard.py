"""What stands between strangers and the representative lookup's provider (issue 29).

The lookup is public and, with a remote provider, costly: each new code is an outbound
call made while a web worker waits. So, before any work, a code must have a directory's
shape (`well_formed`: ASCII letters and digits, with spaces or dashes between, at most
MAX_POSTAL_CODE of them); and a provider that keeps failing is left alone for a while
(`guarded`, a circuit breaker shared by every process through the cache), which /health/
reports (`breaker_open`). The per-network rate limit is signatures.abuse's.

The provider has a limit of its own: Represent's free plan answers 60 requests a minute,
and a surge of supporters with new postal codes would pass it at once. `guarded` spends one
call of a budget shared by every process and node (CLARION_REPRESENT_BUDGET, "calls/seconds":
at most that many calls in any such window, counted on Redis's own clock); with none left it
raises OverBudget (a LookupUnavailable, not a failure: the breaker is not told), and the
caller answers from the directory's table or lets the action's letter wait, as when the
provider is down (campaigns/represent.py, signatures/services/representative_targets.py).
"""

import logging
import re
import secrets
import threading
import time

from django.conf import settings
from django.core.cache import cache, caches

from cms.base import redis_clients
from cms.base.redis_clients import count_in_window

from .models.directories import MAX_POSTAL_CODE
from .representatives import LookupUnavailable

logger = logging.getLogger(__name__)

#: A postal code as people write one: letters and digits, maybe a space or dash between.
_SHAPE = re.compile(r"[A-Za-z0-9]+(?:[ -]?[A-Za-z0-9]+)*")

FAILURES_KEY = "clarion:lookup-breaker:failures"
OPEN_KEY = "clarion:lookup-breaker:open"
BUDGET_KEY = "clarion:lookup-budget"

#: One call spent if fewer than ARGV[2] were in the last ARGV[1] milliseconds (each call's
#: time is kept in a sorted set): atomic, and on the server's clock, so the nodes' clocks
#: need not agree.
_SPEND = """
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local window, limit = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ms - window)
if redis.call('ZCARD', KEYS[1]) >= limit then
  return 0
end
redis.call('ZADD', KEYS[1], ms, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
return 1
"""
_local_budget = threading.Lock()  # the in-process cache's (development, tests)


class OverBudget(LookupUnavailable):
    """The provider's calls for now are spent (CLARION_REPRESENT_BUDGET)."""


def well_formed(postal_code: str) -> bool:
    """Whether `postal_code` could be in a directory: checked before it goes anywhere."""
    code = str(postal_code or "").strip()
    return bool(_SHAPE.fullmatch(code)) and sum(char.isalnum() for char in code) <= MAX_POSTAL_CODE


def _per_window(setting: str) -> tuple[int, int]:
    """(number, seconds) from a setting such as "5/60"."""
    number, _slash, seconds = str(getattr(settings, setting)).partition("/")
    return int(number), int(seconds or 60)


def _breaker() -> tuple[int, int]:
    """(failures, seconds) from CLARION_LOOKUP_BREAKER such as "5/60": that many failures
    within that window open the breaker for the same number of seconds; 0 failures: never."""
    return _per_window("CLARION_LOOKUP_BREAKER")


def spend_budget() -> bool:
    """Whether one more call to the provider is within CLARION_REPRESENT_BUDGET ("calls/
    seconds"; 0 calls: no budget); if so, it is counted."""
    calls, seconds = _per_window("CLARION_REPRESENT_BUDGET")
    if calls <= 0:
        return True
    backend = caches["default"]
    if isinstance(backend, redis_clients.RedisCache):
        key = backend.make_and_validate_key(BUDGET_KEY)
        spend = backend.client(key).register_script(_SPEND)
        return bool(spend(keys=[key], args=[seconds * 1000, calls, secrets.token_hex(8)]))
    with _local_budget:
        now = time.time()
        spent = [at for at in cache.get(BUDGET_KEY, []) if at > now - seconds]
        if len(spent) >= calls:
            return False
        cache.set(BUDGET_KEY, [*spent, now], seconds)
        return True


def guarded(call):
    """`call()`, unless the provider failed too often lately: then LookupUnavailable at
    once, without asking it, until the breaker's time is up (the next call tries again);
    nor when its budget is spent (OverBudget)."""
    failures, seconds = _breaker()
    if failures > 0 and cache.get(OPEN_KEY) is not None:
        raise LookupUnavailable("circuit open: the provider failed repeatedly")
    if not spend_budget():
        raise OverBudget("the provider's budget of calls is spent for now")
    try:
        return call()
    except LookupUnavailable:
        if failures > 0:
            window = int(time.time() // seconds)
            if count_in_window(f"{FAILURES_KEY}:{window}", seconds + 1) >= failures:
                if cache.add(OPEN_KEY, int(time.time()), seconds):
                    logger.warning("Representative lookup: provider left alone for %s s", seconds)
        raise


def breaker_open() -> bool:
    """Whether lookups are answered without asking the provider now (for /health/)."""
    return cache.get(OPEN_KEY) is not None
