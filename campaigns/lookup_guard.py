"""What stands between strangers and the representative lookup's provider (issue 29).

The lookup is public and, with a remote provider, costly: each new code is an outbound
call made while a web worker waits. So, before any work, a code must have a directory's
shape (`well_formed`: ASCII letters and digits, with spaces or dashes between, at most
MAX_POSTAL_CODE of them); and a provider that keeps failing is left alone for a while
(`guarded`, a circuit breaker shared by every process through the cache), which /health/
reports (`breaker_open`). The per-network rate limit is signatures.abuse's.
"""

import logging
import re
import time

from django.conf import settings
from django.core.cache import cache

from cms.base.redis_clients import count_in_window

from .models.directories import MAX_POSTAL_CODE
from .representatives import LookupUnavailable

logger = logging.getLogger(__name__)

#: A postal code as people write one: letters and digits, maybe a space or dash between.
_SHAPE = re.compile(r"[A-Za-z0-9]+(?:[ -]?[A-Za-z0-9]+)*")

FAILURES_KEY = "clarion:lookup-breaker:failures"
OPEN_KEY = "clarion:lookup-breaker:open"


def well_formed(postal_code: str) -> bool:
    """Whether `postal_code` could be in a directory: checked before it goes anywhere."""
    code = str(postal_code or "").strip()
    return bool(_SHAPE.fullmatch(code)) and sum(char.isalnum() for char in code) <= MAX_POSTAL_CODE


def _breaker() -> tuple[int, int]:
    """(failures, seconds) from CLARION_LOOKUP_BREAKER such as "5/60": that many failures
    within that window open the breaker for the same number of seconds; 0 failures: never."""
    failures, _slash, seconds = str(settings.CLARION_LOOKUP_BREAKER).partition("/")
    return int(failures), int(seconds or 60)


def guarded(call):
    """`call()`, unless the provider failed too often lately: then LookupUnavailable at
    once, without asking it, until the breaker's time is up (the next call tries again)."""
    failures, seconds = _breaker()
    if failures > 0 and cache.get(OPEN_KEY) is not None:
        raise LookupUnavailable("circuit open: the provider failed repeatedly")
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
