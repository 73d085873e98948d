"""The action counter shown on a campaign: counted signatures plus the editors' offset.

The count is never kept in a row that every action would UPDATE, and never drifts: on
PostgreSQL a trigger keeps it in the same transaction as each signature's change, spread
over a few rows per campaign so that concurrent actions seldom wait on one another
(`models.counts`); reading it sums those few rows, O(1) however many actions there are.
Elsewhere (development on SQLite) it is a COUNT over the campaign/status index. Readers get
it from the shared cache; it is read again when it is no longer fresh (FRESHNESS_SECONDS),
when moderation changes a status (`changed`), and at most once a second per web process
while actions arrive (`signed`), so the displayed value is never more than about 4 seconds
old.

However many readers poll a campaign, one of them recounts when the count goes stale: the
count is kept longer than it is fresh, and while one reader recounts (holding a short lock
in the cache) the others are answered with the count it replaces, seconds old. So a surge of
pollers costs the database one recount per interval, not one per web process or request.
"""

import time

from django.core.cache import cache
from django.db import connection
from django.db.models import Sum

from cms.base import surge

from .models import CampaignCount, Signature

#: How long a count is served from the cache before it is recounted.
FRESHNESS_SECONDS = 4
#: While actions arrive, the count is refreshed at most this often.
BUMP_SECONDS = 1
#: Both, in surge mode (cms.base.surge): the page and its pollers cost fewer recounts.
SURGE_FRESHNESS_SECONDS = 30
#: How long a count may stand in while another reader recounts (or after a recount failed).
KEPT_SECONDS = 60
#: How long one reader may take to recount before another may try.
RECOUNT_LOCK_SECONDS = 5
_bumped: dict[int, float] = {}  # campaign id -> until when this process need not bump


def _cache_key(campaign_id: int) -> str:
    return f"clarion:count:{campaign_id}"


def _fresh_key(campaign_id: int) -> str:
    """Present while the kept count is fresh; gone when it expires or the count changed."""
    return f"clarion:count-fresh:{campaign_id}"


def _recount_key(campaign_id: int) -> str:
    return f"clarion:count-recount:{campaign_id}"


def counted_signatures(campaign_id: int) -> int:
    key, fresh = _cache_key(campaign_id), _fresh_key(campaign_id)
    found = cache.get_many([key, fresh])
    count = found.get(key)
    if count is not None and fresh in found:
        return count
    if count is not None and not cache.add(_recount_key(campaign_id), 1, RECOUNT_LOCK_SECONDS):
        return count  # another reader is recounting: this one is seconds old
    count = read_count(campaign_id)
    cache.set(key, count, KEPT_SECONDS)
    cache.set(fresh, True, SURGE_FRESHNESS_SECONDS if surge.active() else FRESHNESS_SECONDS)
    cache.delete(_recount_key(campaign_id))
    return count


def read_count(campaign_id: int) -> int:
    """The exact count now, from the database (not the cache)."""
    if connection.vendor == "postgresql":  # kept by the trigger: a few rows to add up
        rows = CampaignCount.objects.filter(campaign_id=campaign_id)
        return rows.aggregate(total=Sum("counted"))["total"] or 0
    return Signature.objects.filter(campaign_id=campaign_id).counted().count()


def displayed_count(campaign) -> int:
    """What any translation of a campaign shows: the actions recorded against its source
    page (every translation's, see signing) plus the source's offset."""
    source = campaign.counter_source
    return counted_signatures(source.pk) + source.counter_offset


def changed(campaign_id: int) -> None:
    """A signature's status changed (moderation, confirmation): recount on the next read."""
    cache.delete_many([_fresh_key(campaign_id), _recount_key(campaign_id)])


def signed(campaign_id: int) -> None:
    """A new counted action: show it on the next read, but recount at most once a second.

    A supporter who signs a quiet campaign sees their action counted on the thank-you page;
    a busy campaign recounts once a second instead of once per action.
    """
    now = time.monotonic()
    if _bumped.get(campaign_id, 0) > now:
        return  # this process bumped it less than a second ago: spare the round trip
    _bumped[campaign_id] = now + (SURGE_FRESHNESS_SECONDS if surge.active() else BUMP_SECONDS)
    cache.delete(_fresh_key(campaign_id))
