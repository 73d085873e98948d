"""Serving published campaign pages from the shared cache, with a counter that stays fresh.

Anonymous GETs of a campaign page (and its thank-you page) are kept in the Django cache
(Redis in production) for CLARION_PAGE_CACHE_SECONDS, and answered with
`Cache-Control: public, s-maxage=CLARION_PAGE_SHARED_MAX_AGE` for proxies and CDNs in
front. The page carries no per-user data: the sign form has no CSRF token (see
signatures.views.sign_by_form), so one copy serves everyone.

The counter stays fresh because each cached copy remembers the count it shows: a copy is
served only while the counter (itself a cache hit, at most ~4 s old) still has that value;
otherwise the page is rendered again, which under heavy signing happens about once a second
per page. Publishing, unpublishing, moving or deleting any page, putting a password, login or
group restriction on one, or changing the organisation's settings, a target or a published
answer of a target (after its transaction commits too), drops every
cached copy; a copy of a campaign that is about to open or close is not served past that
moment. A restricted page is never kept, so never served from here.

A copy is kept per page and language: its key is the site as Wagtail finds it (host name in
lower case, the server's port) and the page's address; `//act/x/` or `/act/x` is no new
entry (such a request passes by the cache to Wagtail, which answers it as it always does).
A visit through a shared link (`?utm_source=…&fbclid=…`, as nearly every visit from a social
network arrives) is served the same copy: its query holds only tracking parameters
(`sources.TRACKING_PARAMETERS`), which never change the page, and the landing middleware,
outside this cache, still counts the visit by its tags and puts them in the form. Any other
query string is rendered by Wagtail.

Off: CLARION_PAGE_CACHE_SECONDS=0.
"""

import math
import secrets
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.http.request import split_domain_port
from django.template.response import SimpleTemplateResponse
from django.utils.cache import patch_cache_control

from insights import sources
from signatures import counter

GENERATION_KEY = "clarion:page-generation"


def invalidate(**kwargs) -> None:
    """Drop every cached page (connected to Wagtail's publish signals).

    A new random generation, not a counter: were the key ever evicted, a counter starting
    again could match copies made before a restriction; a random value matches none.
    """
    cache.set(GENERATION_KEY, secrets.token_hex(8), None)


def invalidate_now_and_after_commit(**kwargs) -> None:
    """For a change that may be made inside a transaction (a target's answer published in
    a workflow or a script): a page rendered before it commits, still without the change,
    must not be kept under the generation drawn now."""
    invalidate()
    transaction.on_commit(invalidate)


def current_generation() -> str:
    """The generation now, drawing one if the cache has none (a fresh or flushed cache):
    every process then reads the same one until the next change."""
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, secrets.token_hex(8), None)
        generation = cache.get(GENERATION_KEY)
    return generation


class CampaignPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seconds = settings.CLARION_PAGE_CACHE_SECONDS
        if not seconds or not _cacheable_request(request):
            return self.get_response(request)
        key = _page_key(request)
        found = cache.get_many([GENERATION_KEY, key])
        generation, entry = found.get(GENERATION_KEY), found.get(key)
        count = None
        if entry and entry["generation"] == generation and time.time() < entry.get("until", 0):
            count = counter.counted_signatures(entry["campaign_id"])
            if count == entry["count"]:
                return _cached_response(entry)
        response = self.get_response(request)
        campaign = _shareable_campaign(request, response)
        if campaign is not None:
            # A copy lasts until the campaign opens or closes, when its form changes.
            change = campaign.next_change()
            until = min(time.time() + seconds, change.timestamp() if change else math.inf)
            # On a page's first visit the count it shows is unknown here (count=None), so
            # the next visit renders again and records it; from then on copies match.
            cache.set(
                key,
                {
                    "generation": generation,
                    # Whose count it shows: every translation shows its source's.
                    "campaign_id": campaign.counter_source.pk,
                    "count": count,
                    "until": until,
                    "status": response.status_code,
                    "content": response.content,
                    "content_type": response["Content-Type"],
                },
                seconds,
            )
            _mark_public(response, until)
            response["X-Clarion-Cache"] = "miss"
        return response


def _cacheable_request(request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and (not request.GET or sources.only_tracking(request.GET))
        and settings.SESSION_COOKIE_NAME not in request.COOKIES  # editors see live pages
        # Another spelling of an address (`//act/x/`, `/act/x`) is Wagtail's to answer (a
        # 404, a redirect) and never kept, so each page has one copy per language.
        and request.path == _routed_path(request.path)
    )


def _routed_path(path: str) -> str:
    """A page's address as Wagtail routes it: its segments, one slash apart, ending in one."""
    return "/" + "".join(f"{segment}/" for segment in path.split("/") if segment)


def _page_key(request) -> str:
    """The page and language a request asks for: the host name and port Wagtail finds the
    site by (not the Host header as sent), and the page's address."""
    language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    host = split_domain_port(request.get_host())[0]  # in lower case, as Wagtail compares it
    return f"clarion:page:{language}:{host}:{request.get_port()}:{request.path}"


def _shareable_campaign(request, response):
    """The campaign a response shows, if it may be kept for everyone."""
    from campaigns.models import CampaignPage

    if response.status_code != 200 or response.cookies or response.has_header("Set-Cookie"):
        return None
    if not isinstance(response, SimpleTemplateResponse) or response.context_data is None:
        return None
    page = response.context_data.get("page")
    if not isinstance(page, CampaignPage) or not page.live or request.method != "GET":
        return None
    if page.get_view_restrictions():  # private pages are never shared (a query, or a list)
        return None
    if "no-store" in response.get("Cache-Control", "") or "private" in response.get(
        "Cache-Control", ""
    ):
        return None
    return page


def _cached_response(entry) -> HttpResponse:
    response = HttpResponse(
        entry["content"], status=entry["status"], content_type=entry["content_type"]
    )
    _mark_public(response, entry["until"])
    response["X-Clarion-Cache"] = "hit"
    return response


def _mark_public(response, until: float) -> None:
    """Let shared caches keep the page too, but not past the campaign's next change."""
    shared = min(settings.CLARION_PAGE_SHARED_MAX_AGE, max(0, int(until - time.time())))
    patch_cache_control(response, public=True, max_age=0, s_maxage=shared)


def invalidate_on_page_change(sender, **kwargs) -> None:
    """A page saved or deleted (a direct save, not only a publish, may change what a live
    page shows, e.g. a script or a management command)."""
    from wagtail.models import Page

    if issubclass(sender, Page):
        invalidate()


def invalidate_on_change(sender, created=False, **kwargs) -> None:
    """A changed row shown on pages (organisation settings, a target); a new one is on none
    yet: settings made on a page's first visit show the defaults that page already has."""
    if not created:
        invalidate()
