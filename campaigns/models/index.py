from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page

from cms.base.models import CampaignListingMixin


class CampaignIndexPage(CampaignListingMixin, Page):
    """Lists the public campaigns below it: open ones first, each with its counter."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage", "wagtailcore.Page"]
    subpage_types = ["campaigns.CampaignPage"]

    def campaigns(self):
        """The public campaigns: one behind a password, a login or a group is not listed
        (its title, lead and count are as private as its page)."""
        from .page import CampaignPage

        campaigns = (
            CampaignPage.objects.child_of(self)
            .live()
            .public()
            .specific()
            .order_by("-first_published_at")
        )
        return sorted(campaigns, key=lambda campaign: not campaign.is_open())
