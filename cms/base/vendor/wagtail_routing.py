"""Handing Wagtail a page this process routed before, as Wagtail would have routed it.

Wagtail 8.0 keeps what it found for a request on the request itself: the site
(`Site.find_for_request` sets `_wagtail_site`) and the route (`Page.route_for_request` sets
`_wagtail_route_for_request`); a site setting read for a request keeps it in `_request`.
signatures/caching/published_pages.py keeps routed campaign pages per process and sets these so
that the rest of Wagtail's serve view (restrictions, hooks, the page's serve) runs unchanged.
The host is read as Wagtail reads it, from Django's `HttpRequest._get_raw_host` (the Host
header unvalidated, as Wagtail matches sites).
"""

LIBRARY = "wagtail"
TESTED = ((8, 0),)
UPSTREAM = "wagtail/models/sites.py and pages.py: find_for_request, route_for_request"


def raw_host(request) -> str:
    return request._get_raw_host()


def is_routed(request) -> bool:
    """Whether Wagtail has routed this request already."""
    return hasattr(request, "_wagtail_route_for_request")


def set_route(request, site, route) -> None:
    """Leave `site` and `route` on the request as Wagtail's own routing does."""
    request._wagtail_site, request._wagtail_route_for_request = site, route


def bind_setting(setting, request) -> None:
    """A site setting as `for_request` leaves it, for this request."""
    setting._request = request
