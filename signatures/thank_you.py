"""The thank-you page naming a supporter's representatives, answered to their action.

Who the letter goes to follows from the supporter's postal code, which must neither travel
in an address nor sit in a shared cache; so the page answers the POST itself (no redirect)
and is `private, no-store`. Rendering the whole page for each action cost ten times the
action itself (issue 32), so each process renders it once per campaign and site without
anyone's representatives, with a marker where they go (its shell), keeps it with the live
campaign (signatures.caching.live_campaigns: for CLARION_CAMPAIGN_CACHE_SECONDS, forgotten on
publishing), and puts each supporter's own into a copy, as insights.landing puts a
visit's sources into a cached page. The shell is rendered with no one's representatives,
so none can leak from one answer into another.

A restricted campaign's shell is not kept: it is rendered for a visitor who has passed its
password or login, and the page's context may depend on who they are.
"""

import secrets
from functools import lru_cache

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.safestring import mark_safe

TEMPLATE = "campaigns/thank_you.html"
RECIPIENTS = "campaigns/includes/recipients.html"
#: Where the representatives go. Random per process: no text an editor writes can be it.
MARKER = mark_safe(f"<!--clarion:recipients:{secrets.token_hex(8)}-->")


def naming(request, live, representatives) -> HttpResponse:
    """The thank-you page of `live` (a LiveCampaign) naming `representatives` (None: not
    known yet, the letter goes once they are found), in the campaign's language."""
    before, after, content_type = _shell(request, live)
    people = None if representatives is None else tuple(representatives)
    recipients = _recipients(translation.get_language(), people)
    response = HttpResponse(b"".join((before, recipients, after)), content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response


def _shell(request, live) -> tuple[bytes, bytes, str]:
    """(the page before the representatives, after them, its content type)."""
    # The page's links and share address are absolute: one shell per site it is reached by.
    key = (request.scheme, request.get_host())
    shells = live.thank_you_shells if live.public else {}
    if (shell := shells.get(key)) is None:
        shell = shells[key] = _render_shell(request, live.page)
    return shell


@lru_cache(maxsize=1024)
def _recipients(language: str, representatives: tuple | None) -> bytes:
    """Who the letter goes to, as the page says it: the same for every supporter of one
    district, so kept per process (a directory has a few hundred representatives)."""
    context = {
        "representatives": representatives,
        "representatives_unknown": representatives is None,
    }
    with translation.override(language):
        return render_to_string(RECIPIENTS, context).encode()


def _render_shell(request, campaign) -> tuple[bytes, bytes, str]:
    context = campaign.get_context(request)
    context["recipients_marker"] = MARKER
    response = TemplateResponse(request, TEMPLATE, context).render()
    before, marker, after = response.content.partition(MARKER.encode())
    if not marker:
        raise ValueError(f"{TEMPLATE} has no place for the representatives")
    return before, after, response["Content-Type"]
