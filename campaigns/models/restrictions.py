"""A restriction put on one page is copied to its other translations, and goes with it
(issue 28, finding 2).

CampaignPage.get_view_restrictions and its queryset's public() already cover every
translation of a campaign whatever page carries the restriction. Wagtail's own listings
(its pages API) see only a restriction on a page or above it, as does wagtail-localize,
which copies the source page's restriction to a translation when it syncs; this copies it at
once, from whichever translation it is put on, for any page (a campaign, or an index or home
page above campaigns: then every language's campaigns below it are covered too). Connected
in campaigns.apps.
"""

from wagtail.models import Page, PageViewRestriction


def _other_translations(restriction):
    page = Page.objects.filter(pk=restriction.page_id).only("translation_key").first()
    if page is None:
        return Page.objects.none()
    return Page.objects.filter(translation_key=page.translation_key).exclude(pk=page.pk)


def _copies(restriction):
    """The same restriction on the campaign's other translations."""
    return PageViewRestriction.objects.filter(
        page__in=_other_translations(restriction),
        restriction_type=restriction.restriction_type,
        password=restriction.password,
    )


def copy_to_translations(sender, instance, raw=False, **kwargs):
    if raw:
        return
    for page in _other_translations(instance).filter(view_restrictions__isnull=True):
        copy = PageViewRestriction.objects.create(
            page=page, restriction_type=instance.restriction_type, password=instance.password
        )
        copy.groups.set(instance.groups.all())


def copy_groups(sender, instance, action, reverse=False, **kwargs):
    if reverse or action not in ("post_add", "post_remove", "post_clear"):
        return
    for copy in _copies(instance):
        copy.groups.set(instance.groups.all())  # the same groups: no change, no signal


def delete_copies(sender, instance, **kwargs):
    _copies(instance).delete()
