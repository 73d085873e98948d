"""The campaign an action is taken on, kept in each process for a moment.

Signing is the hot path: loading a CampaignPage is a query joining two tables and builds
a model with dozens of fields, more work than storing the signature itself; its URL and
its view restrictions cost more queries. Each process keeps the live pages it has served
for CLARION_CAMPAIGN_CACHE_SECONDS (2 s), with those facts worked out once, and forgets
them all when a page is published, unpublished, moved or deleted in this process; other
processes follow within those seconds, as they do after a view restriction is added or
removed. A campaign's opening and closing times are checked on every action, so they need
no invalidation.
"""

import time
from functools import cached_property

from django.conf import settings

from campaigns.models import MAX_PAGE_ID

_campaigns: dict[int, tuple[float, "LiveCampaign"]] = {}  # id -> (expires at, campaign)


class LiveCampaign:
    """A live campaign page and what the action routes ask of it, each asked once."""

    def __init__(self, page):
        self.page = page
        #: signatures.thank_you's pages, by (scheme, host): kept as long as the page is.
        self.thank_you_shells = {}

    @cached_property
    def thank_you_url(self) -> str:
        return self.page.url + self.page.reverse_subpage("thank_you")

    @cached_property
    def public(self) -> bool:
        """No password, login or group restriction: open to the API's anonymous callers."""
        return not self.page.get_view_restrictions().exists()


def live_campaign(campaign_id: int) -> LiveCampaign | None:
    """The live campaign with this id, or None."""
    from campaigns.models import CampaignPage

    if not 0 < campaign_id <= MAX_PAGE_ID:
        return None
    now = time.monotonic()
    found = _campaigns.get(campaign_id)
    if found and found[0] > now:
        return found[1]
    page = CampaignPage.objects.live().select_related("locale").filter(pk=campaign_id).first()
    if page is None:
        return None
    campaign = LiveCampaign(page)
    page.counter_source  # noqa: B018 - worked out once here, kept with the page
    if seconds := settings.CLARION_CAMPAIGN_CACHE_SECONDS:
        _campaigns[campaign_id] = (now + seconds, campaign)
    return campaign


def forget(**kwargs) -> None:
    _campaigns.clear()
