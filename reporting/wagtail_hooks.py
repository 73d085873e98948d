"""The statistics screens in the admin: among the moderators' screens at /admin/signatures/
(signatures asks for them by hook name, never importing reporting), in the Signatures menu,
and linked from each campaign's page and its line in the page listing."""

from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets.button import Button, ListingButton

from cms.base.admin_permissions import PermittedMenuItem
from signatures.admin.menu import ITEMS_HOOK
from signatures.admin.permissions import can_see_statistics
from signatures.admin.urls import SCREENS_HOOK

from . import urls


@hooks.register(SCREENS_HOOK)
def statistics_screens():
    return urls.urlpatterns


@hooks.register(ITEMS_HOOK)
def live_campaigns_menu_item():
    return PermittedMenuItem(
        _("Live campaigns"),
        reverse_lazy("signatures_admin:live_campaigns"),
        name="live-campaigns",
        icon_name="table",
        order=150,
        permission=can_see_statistics,
    )


def _statistics_url(page):
    return reverse("signatures_admin:statistics", args=[page.pk])


def _is_campaign(page):
    from campaigns.models import CampaignPage

    return issubclass(page.specific_class or type(page), CampaignPage)


@hooks.register("register_page_header_buttons")
def statistics_header_button(page, user, view_name, next_url=None):
    if _is_campaign(page) and can_see_statistics(user):
        yield Button(
            _("Signature statistics"), _statistics_url(page), icon_name="table", priority=80
        )


@hooks.register("register_page_listing_buttons")
def statistics_listing_button(page, user, next_url=None):
    if _is_campaign(page) and can_see_statistics(user):
        yield ListingButton(_("Statistics"), _statistics_url(page), priority=90)
