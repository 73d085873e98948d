"""Published campaign pages kept in each process, routed without a walk through the tree.

Rendering a campaign page took 18 queries, most of them Wagtail finding it: the site for the
host name, the locale, the root page and each page on the path (each twice, as a base page
then as its own type), then the page's view restrictions (its ancestors first), its
translations, its counter's source and its pictures. None of that changes until an editor
publishes, unpublishes, moves, deletes or saves a page, changes a view restriction, a site,
a locale, an image, a target or the organisation's settings: each of those draws a new
page-cache generation (signatures.caching.page_cache.invalidate, shared by every process through the
cache). So each process keeps, per site, language and address, the site, the routed page
with those facts worked out once (CampaignPage.keep_for_serving) and the organisation's
settings shown in the banner, for as long as the generation it read before loading them is
current, and at most KEEP_SECONDS.

What depends on the visitor or the moment is still worked out on each request: whether the
visitor passes the page's view restrictions (Wagtail's on_serve_page hook), the count,
whether the campaign is open. Only live campaign pages are kept: any other address goes
through Wagtail's routing as before, so a draft, a 404 or another page type is found
exactly as Wagtail finds it.
"""

import copy
import time

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.http.request import split_domain_port
from django.utils import translation

from cms.base.models import OrganisationSettings
from cms.base.vendor import wagtail_routing

from . import page_cache

#: A kept page is routed again after this long even if nothing was published: the bound on
#: how stale a change that draws no new generation can leave it (as the page cache's copies).
KEEP_SECONDS = 60
#: Host names come from requests: a process keeps at most this many addresses.
MAX_KEPT = 1000

#: (host, port, language, path) -> (generation, until, site, route, organisation's settings)
_kept: dict[tuple, tuple] = {}


def route(request, path: str):
    """Wagtail's Page.route_for_request(request, path), from this process's copy where it
    has a current one: sets the request's site and route as Wagtail does, so the rest of
    Wagtail's serve view (restrictions, hooks, the page's serve) runs as before."""
    from wagtail.models import Page, Site

    if not settings.CLARION_PUBLISHED_PAGES or wagtail_routing.is_routed(request):
        return Page.route_for_request(request, path)
    # As Wagtail finds the site: the host name as sent, and the port; the language picks
    # the locale's root page.
    host = split_domain_port(wagtail_routing.raw_host(request))[0]
    key = (host, request.get_port(), translation.get_language(), path)
    generation = page_cache.current_generation()  # read before anything it would cover
    now = time.monotonic()
    found = _kept.get(key)
    if found and found[0] == generation and found[1] > now:
        _, _, site, result, organisation = found
        wagtail_routing.set_route(request, site, result)
        # As OrganisationSettings.for_request leaves it on the request, for this request.
        organisation = copy.copy(organisation)
        wagtail_routing.bind_setting(organisation, request)
        setattr(request, OrganisationSettings.get_cache_attr_name(), organisation)
        return result
    result = Page.route_for_request(request, path)
    if result is not None and _keepable(result[0]):
        result[0].keep_for_serving()
        organisation = OrganisationSettings.for_request(request)
        if organisation.logo:
            prefetch_related_objects([organisation.logo], "renditions")
        if len(_kept) >= MAX_KEPT:
            _kept.clear()
        site = Site.find_for_request(request)
        _kept[key] = (generation, now + KEEP_SECONDS, site, result, organisation)
    return result


def _keepable(page) -> bool:
    from campaigns.models import CampaignPage

    return isinstance(page, CampaignPage) and page.live and not page.expired
