"""The campaign an action is taken on, kept in each process for a moment.

Signing is the hot path: loading a CampaignPage is a query joining two tables and builds
a model with dozens of fields, more work than storing the signature itself. Each process
keeps the live pages it has served for CLARION_CAMPAIGN_CACHE_SECONDS (2 s), and forgets
them all when a page is published, unpublished, moved or deleted in this process; other
processes follow within those seconds. A campaign's opening and closing times are checked
on every action, so they need no invalidation.
"""

import time

from django.conf import settings

_pages: dict[int, tuple[float, object, str]] = {}


def live_campaign(campaign_id: int):
    """(campaign, thank-you URL) of a live campaign, or (None, None)."""
    from campaigns.models import CampaignPage

    seconds = settings.CLARION_CAMPAIGN_CACHE_SECONDS
    now = time.monotonic()
    found = _pages.get(campaign_id)
    if found and found[0] > now:
        return found[1], found[2]
    campaign = CampaignPage.objects.live().filter(pk=campaign_id).first()
    if campaign is None:
        return None, None
    thank_you = campaign.url + campaign.reverse_subpage("thank_you")
    if seconds:
        _pages[campaign_id] = (now + seconds, campaign, thank_you)
    return campaign, thank_you


def forget(**kwargs) -> None:
    _pages.clear()
