"""A campaign page's view counted, and its form given the visit's sources, however the page
was served (rendered now or from the page cache).

The form in a campaign page carries a marker instead of the hidden source inputs (see
`form_guard`), so that one cached copy serves every visit; this middleware, outside the page
cache, counts the view and puts in the visit's own sources. The answer then depends on the
Referer, and says so (`Vary: Referer`). Behind a CDN that keeps pages (CLARION_VIEW_BEACON),
the page carries no marker: a small script fills the inputs and counts the view instead.
"""

import re
from html import escape

from django.conf import settings
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe

from . import page_views, sources

MARKER = b"<!--clarion:landing:"
_END = b"-->"
# Robots, link previews and monitors are not people seeing the page.
_PAGE_LANGUAGE = re.compile(rb"[A-Za-z-]{0,12}")  # a locale's language code, as LANGUAGES
_ROBOT = re.compile(
    r"bot|crawl|spider|slurp|preview|monitor|facebookexternalhit|headless|python|curl|wget",
    re.IGNORECASE,
)


def marker(campaign_id: int, page_language: str) -> str:
    """Where the visit's sources go in a page of the campaign `campaign_id` (its source
    page's id: views are counted for the campaign as a whole) written in `page_language`."""
    return f"{MARKER.decode()}{campaign_id}:{page_language}{_END.decode()}"


def _marked(found: bytes):
    """(campaign id, page language) of a marker's content; a page cached before markers
    named their language gives ""."""
    campaign_id, _colon, page_language = found.partition(b":")
    if not campaign_id.isdigit() or not _PAGE_LANGUAGE.fullmatch(page_language):
        return None
    return int(campaign_id), page_language.decode()


def hidden_inputs(carried: dict) -> str:
    # Plain escaping: format_html_join cost more than counting the view.
    return mark_safe(  # names are ours, values escaped
        "".join(
            f'<input type="hidden" name="{name}" value="{escape(value) if value else ""}">'
            for name, value in carried.items()
        )
    )


def is_person_viewing(request, *, beacon=False) -> bool:
    """A visit worth counting: a GET of the page itself (or the beacon's POST), not a
    prefetch, a robot or an editor (whose session cookie also keeps them off the page cache)."""
    meta = request.META
    return (
        request.method == ("POST" if beacon else "GET")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "prefetch" not in meta.get("HTTP_SEC_PURPOSE", meta.get("HTTP_PURPOSE", ""))
        and not _ROBOT.search(meta.get("HTTP_USER_AGENT", ""))
    )


class LandingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 200 or response.streaming:
            return response
        content = response.content
        start = content.find(MARKER)
        if start < 0:
            return response
        end = content.find(_END, start)
        marked = _marked(content[start + len(MARKER) : end]) if end >= 0 else None
        if marked is None:
            return response
        campaign_id, page_language = marked
        carried = sources.landing(request)
        if is_person_viewing(request):
            page_views.count(campaign_id, sources.view_dimensions(carried, request, page_language))
        response.content = b"".join(
            (content[:start], hidden_inputs(carried).encode(), content[end + len(_END) :])
        )
        patch_vary_headers(response, ["Referer"])
        return response
