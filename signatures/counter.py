"""The action counter shown on a campaign: counted signatures plus the editors' offset."""

from django.core.cache import cache

from .models import Signature

FRESHNESS_SECONDS = 5


def _cache_key(campaign_id: int) -> str:
    return f"clarion:count:{campaign_id}"


def counted_signatures(campaign_id: int) -> int:
    key = _cache_key(campaign_id)
    count = cache.get(key)
    if count is None:
        count = Signature.objects.filter(campaign_id=campaign_id).counted().count()
        cache.set(key, count, FRESHNESS_SECONDS)
    return count


def forget(campaign_id: int) -> None:
    """Drop the cached count after a change, so the next read recounts."""
    cache.delete(_cache_key(campaign_id))


def displayed_count(campaign) -> int:
    return counted_signatures(campaign.pk) + campaign.counter_offset
