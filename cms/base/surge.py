"""Surge mode: one switch that sheds the load an action does not need.

On while `CLARION_SURGE_MODE` is set or an administrator switches it on (Settings → Surge
mode, `cms.base.models.SurgeMode`). Actions, letters to targets and confirmation emails go on as
ever; supporters' receipts and CRM webhooks are owed but not sent until it is off (the
outbox's sweepers then send them), and the counter is recounted less often.

Read on hot paths (each recount, each dispatched action), so the switch is kept in the
shared cache and, for a moment, in the process: a change reaches every process within
MEMO_SECONDS.
"""

import time

from django.conf import settings
from django.core.cache import cache

CACHE_KEY = "clarion:surge-mode"
MEMO_SECONDS = 2
_memo = {"active": False, "until": 0.0}


def active() -> bool:
    if settings.CLARION_SURGE_MODE:
        return True
    now = time.monotonic()
    if _memo["until"] > now:
        return _memo["active"]
    switched_on = cache.get(CACHE_KEY)
    if switched_on is None:
        from .models import SurgeMode

        switched_on = SurgeMode.load().active
        cache.set(CACHE_KEY, switched_on, None)
    _memo.update(active=switched_on, until=now + MEMO_SECONDS)
    return switched_on


def switched(sender, instance, **kwargs) -> None:
    """The setting was saved: tell every process (connected to post_save in apps.py)."""
    cache.set(CACHE_KEY, instance.active, None)
    forget()


def forget() -> None:
    """Read the switch again on the next call (this process)."""
    _memo["until"] = 0.0
