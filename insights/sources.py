"""Where a visit or an action came from, kept to what says nothing about the person.

A source is the landing address's `utm_source`, `utm_medium` and `utm_campaign` tags, the
referring site's domain (never its path, which can carry anything), the partner site whose
page embedded the form (its domain, from the browser's Origin header, which that page
cannot forge, and only for an origin the site allows) and the language the supporter's browser asks for first. Each value is
cleaned and bounded here, once, for the page-view counters and for the action's row alike:
a malformed tag, or one that looks like an email address or a phone number, is dropped,
never a reason to refuse an action.
"""

import re
from urllib.parse import parse_qs, urlsplit

from django.conf import settings

#: The sources a form or an API call carries; the partner site and language come from headers.
CARRIED = ("utm_source", "utm_medium", "utm_campaign", "referrer")
#: Query parameters that say where a visit came from and never change what the page shows:
#: the utm tags of a shared link and the click ids that social networks, ad platforms and
#: newsletter tools add to it. A page reached with only these is the page without them.
TRACKING_PARAMETERS = frozenset(
    (
        *("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "utm_id"),
        *("fbclid", "gclid", "gbraid", "wbraid", "dclid", "msclkid", "yclid", "twclid"),
        *("ttclid", "li_fat_id", "igshid", "mc_cid", "mc_eid", "_hsenc", "_hsmi"),
    )
)
TAG_MAX_LENGTH = 100
DOMAIN_MAX_LENGTH = 253
LANGUAGE_MAX_LENGTH = 3
#: An action's source fields (the model's), named once: signatures.supporter_fields.SOURCE
#: reads them from here.
FIELDS = (
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "referrer_domain",
    "partner_site",
    "language",
    "page_language",  # which of the campaign's translations the action was taken on
)
#: The breakdowns the statistics show, each named as the action's field it reads ("source"
#: reads three); "page_language" is the language of the campaign's translation seen.
DIMENSIONS = ("source", "utm_campaign", "partner_site", "language", "page_language")

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_DOMAIN = re.compile(rf"{_LABEL}(?:\.{_LABEL})+")  # at least one dot: a site, not a word
_LANGUAGE = re.compile(r"[a-z]{2,3}")
# Characters that are not text on one line (controls, separators, direction overrides).
_NOT_TEXT = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


# What a tag must never carry: a person's email address or phone number (a mailing tool may
# put the recipient's address in the link). Nine digits or more, so a date is not a number.
_PERSONAL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]{2,}|\+?(?:\d[\s().-]?){9,}")


def clean_tag(value) -> str:
    """A utm tag as one short line of lower-case text ("Newsletter " and "newsletter" are one);
    empty if it looks like personal data, which then reaches no row, count or CRM."""
    if not isinstance(value, str):
        return ""
    tag = " ".join(_NOT_TEXT.sub(" ", value).split()).lower()
    if _PERSONAL.search(tag):
        return ""
    return tag[:TAG_MAX_LENGTH].strip()


def clean_domain(value) -> str:
    """The host of an address or origin ("https://www.Example.org/a?b" -> "example.org")."""
    if not isinstance(value, str) or not value or len(value) > 2000:
        return ""
    try:
        host = urlsplit(value if "//" in value else f"//{value}").hostname or ""
    except ValueError:
        return ""
    host = host.rstrip(".").removeprefix("www.")
    if len(host) > DOMAIN_MAX_LENGTH or not _DOMAIN.fullmatch(host):
        return ""
    return host


# Headers are read from META: request.headers builds a dict of them all, a cost paid on
# every cached page view.


def language(request) -> str:
    """The primary language the browser asks for first ("fr-CA,fr;q=0.9" -> "fr")."""
    first = request.META.get("HTTP_ACCEPT_LANGUAGE", "").split(",", 1)[0]
    primary = first.split(";", 1)[0].split("-", 1)[0].strip().lower()
    return primary if _LANGUAGE.fullmatch(primary) else ""


_own_domains: dict[str, str] = {}  # Host header -> its domain: a site has a few


def _own_domain(request) -> str:
    # The request has passed CommonMiddleware, which validated its host.
    host = request.META.get("HTTP_HOST") or request.META.get("SERVER_NAME", "")
    domain = _own_domains.get(host)
    if domain is None:
        if len(_own_domains) > 100:
            _own_domains.clear()
        domain = _own_domains[host] = clean_domain(host)
    return domain


def referrer_domain(value, request) -> str:
    """The referring site's domain; empty for a page of this site (no outside source)."""
    domain = clean_domain(value)
    return "" if not domain or domain == _own_domain(request) else domain


def partner_site(request) -> str:
    """The domain of the page a browser sent this request from, if it is a partner's: an
    origin the site allows (CORS_ALLOWED_ORIGINS). Any other origin is no partner: anyone
    can send a made-up one."""
    origin = request.META.get("HTTP_ORIGIN", "")
    if not origin or origin not in settings.CORS_ALLOWED_ORIGINS:
        return ""
    domain = clean_domain(origin)
    return "" if domain == _own_domain(request) else domain


def only_tracking(query) -> bool:
    """Whether a query string (a QueryDict) holds nothing but TRACKING_PARAMETERS."""
    return all(name in TRACKING_PARAMETERS for name in query)


def landing(request) -> dict:
    """The carried sources of a visit: the address's tags and the Referer's domain."""
    if request.META.get("QUERY_STRING"):
        found = {name: clean_tag(request.GET.get(name)) for name in CARRIED[:3]}
    else:  # most views: spare parsing an empty query
        found = dict.fromkeys(CARRIED[:3], "")
    found["referrer"] = referrer_domain(request.META.get("HTTP_REFERER", ""), request)
    return found


def of_action(carried, request) -> dict:
    """An action's source fields (the model's), from what its form or API call carried.

    A form that carried no tags (sent before the beacon's script ran, or without it) may
    still have them in the address it was sent from: this site's page, the Referer.
    """
    if not any(carried.get(name) for name in CARRIED[:3]):
        carried = {**carried, **_tags_of_own_page(request)}
    found = {name: clean_tag(carried.get(name)) for name in CARRIED[:3]}
    found["referrer_domain"] = referrer_domain(carried.get("referrer"), request)
    found["partner_site"] = partner_site(request)
    found["language"] = language(request)
    return found


def _tags_of_own_page(request) -> dict:
    referer = request.META.get("HTTP_REFERER", "")
    if "utm_" not in referer or clean_domain(referer) != _own_domain(request):
        return {}
    try:
        query = parse_qs(urlsplit(referer).query)
    except ValueError:
        return {}
    return {name: query[name][0] for name in CARRIED[:3] if name in query}


def channel(utm_source: str, utm_medium: str, referrer: str) -> str:
    """One label per visit or action: "newsletter / email", else the referring domain;
    empty for a direct visit."""
    if utm_source:
        return f"{utm_source} / {utm_medium}" if utm_medium else utm_source
    if utm_medium:
        return f"? / {utm_medium}"
    return referrer


def view_dimensions(carried: dict, request, page_language: str, *, embedded=False) -> dict:
    """The breakdowns of one view of the campaign's page in `page_language` (DIMENSIONS ->
    value); `embedded`: the view of a form on a partner's page, which sent it (the beacon)."""
    return {
        "source": channel(carried["utm_source"], carried["utm_medium"], carried["referrer"]),
        "utm_campaign": carried["utm_campaign"],
        "partner_site": partner_site(request) if embedded else "",
        "language": language(request),
        "page_language": page_language,
    }
