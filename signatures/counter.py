"""The action counter shown on a campaign: counted signatures plus the editors' offset.

The count is never kept in a row that every action would UPDATE, and never drifts: on
PostgreSQL a trigger keeps it in the same transaction as each signature's change, spread
over a few rows per campaign so that concurrent actions seldom wait on one another
(`models.counts`); reading it sums those few rows, O(1) however many actions there are.
Elsewhere (development on SQLite) it is a COUNT over the campaign/status index. Readers get
it from the shared cache; it is read again when the cached value expires
(FRESHNESS_SECONDS), when moderation changes a status (`changed`), and at most once a second
per web process while actions arrive (`signed`), so the displayed value is never more than
about 4 seconds old.
"""

import time

from django.core.cache import cache
from django.db import connection
from django.db.models import Sum

from .models import CampaignCount, Signature

#: How long a count is served from the cache before it is recounted.
FRESHNESS_SECONDS = 4
#: While actions arrive, the count is refreshed at most this often.
BUMP_SECONDS = 1
_bumped: dict[int, float] = {}  # campaign id -> until when this process need not bump


def _cache_key(campaign_id: int) -> str:
    return f"clarion:count:{campaign_id}"


def counted_signatures(campaign_id: int) -> int:
    key = _cache_key(campaign_id)
    count = cache.get(key)
    if count is None:
        count = read_count(campaign_id)
        cache.set(key, count, FRESHNESS_SECONDS)
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
    cache.delete(_cache_key(campaign_id))


def signed(campaign_id: int) -> None:
    """A new counted action: show it on the next read, but recount at most once a second.

    A supporter who signs a quiet campaign sees their action counted on the thank-you page;
    a busy campaign recounts once a second instead of once per action.
    """
    now = time.monotonic()
    if _bumped.get(campaign_id, 0) > now:
        return  # this process bumped it less than a second ago: spare the round trip
    _bumped[campaign_id] = now + BUMP_SECONDS
    cache.delete(_cache_key(campaign_id))
