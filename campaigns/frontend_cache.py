"""Purging a CDN or caching proxy in front of the site (wagtail.contrib.frontend_cache).

Whatever changes what a campaign's pages show purges them, in every translation, with
the campaign list above them and the campaign in the API: publishing or unpublishing it,
its organisation's settings (name, logo, scripts shown on every page), publishing or
unpublishing a target it writes to (names are on the page; drafts show nowhere), publishing,
unpublishing or deleting a target's answer to it, a password, login or group restriction put
on it or above it. Purging
is a no-op until FRONTEND_CACHE configures a backend (settings.WAGTAILFRONTENDCACHE).
Wagtail's own app is not installed: these handlers purge the page it would, and the
rest, once. The counter in a kept page is bounded by
CLARION_PAGE_SHARED_MAX_AGE, not by purges.
"""

from django.conf import settings
from django.db.models.signals import post_save
from wagtail.contrib.frontend_cache.utils import PurgeBatch

from .models import CampaignIndexPage, CampaignPage


def purge(pages) -> None:
    """Purge `pages` (campaign pages or others) and what shows them."""
    if not getattr(settings, "WAGTAILFRONTENDCACHE", None):
        return
    batch = PurgeBatch()
    for page in pages:
        page = page.specific_deferred
        if not isinstance(page, CampaignPage):
            batch.add_page(page)
            continue
        for translation in page.get_translations(inclusive=True).specific():
            batch.add_page(translation)
            if site := translation.get_site():
                batch.add_url(f"{site.root_url}/api/v3/campaigns/{translation.pk}/")
        if isinstance(parent := page.get_parent().specific, CampaignIndexPage):
            batch.add_page(parent)  # it lists the campaign, with its counter
    batch.purge()


def page_changed(sender, instance, **kwargs) -> None:
    """page_published, page_unpublished."""
    purge([instance])


def organisation_changed(sender, instance, **kwargs) -> None:
    """OrganisationSettings saved: every campaign of its site."""
    purge(CampaignPage.objects.live().descendant_of(instance.site.root_page, inclusive=True))


def target_changed(sender, instance, **kwargs) -> None:
    """A Target published or unpublished (its drafts show nowhere): its campaigns."""
    purge(CampaignPage.objects.live().filter(campaign_targets__target=instance).distinct())


def answer_changed(sender, instance, **kwargs) -> None:
    """A target's answer published, unpublished or deleted (connected by signatures.apps):
    every language of its campaign shows it, with who has answered, and so does the API."""
    if instance.campaign_id:
        purge([instance.campaign])


def restriction_changed(sender, instance, **kwargs) -> None:
    """A password, login or group restriction saved: the pages it covers, so that no public
    copy of them outlives their publicity."""
    purge(instance.page.get_descendants(inclusive=True).live())


def connect() -> None:
    from wagtail.models import PageViewRestriction
    from wagtail.signals import page_published, page_unpublished, published, unpublished

    from cms.base.models import OrganisationSettings

    from .models import Target

    page_published.connect(page_changed, dispatch_uid="clarion-cdn-published")
    page_unpublished.connect(page_changed, dispatch_uid="clarion-cdn-unpublished")
    post_save.connect(organisation_changed, sender=OrganisationSettings, dispatch_uid="clarion-cdn")
    published.connect(target_changed, sender=Target, dispatch_uid="clarion-cdn-target")
    unpublished.connect(target_changed, sender=Target, dispatch_uid="clarion-cdn-target-off")
    post_save.connect(
        restriction_changed, sender=PageViewRestriction, dispatch_uid="clarion-cdn-restriction"
    )
