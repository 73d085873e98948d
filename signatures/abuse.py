"""Abuse checks on taking action: rate limit, disposable addresses, and the HTML form's guard.

The rate limit and the disposable-address rule run inside `signing.record_signature`, so the
campaign page and the API apply them alike. The guard (same-origin check, honeypot, minimum
fill time) belongs to the HTML form only; it needs no per-user token, so the campaign page
can be served from a shared cache.
"""

import hashlib
import ipaddress
import time
from functools import lru_cache
from urllib.parse import urlsplit

from disposable_email_domains import blocklist as DISPOSABLE_DOMAINS
from django.conf import settings
from django.core import signing
from django.core.cache import caches
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cms.base import redis_clients
from cms.base.redis_clients import count_in_window

#: Name of the honeypot input: invisible to people, tempting to form-filling robots.
HONEYPOT_FIELD = "website"
#: Name of the hidden input carrying when the form was rendered (signed, not per user).
STARTED_FIELD = "started"
STARTED_SALT = "clarion.signatures.form-started"
#: A rendered form stays usable this long (cached pages included).
STARTED_MAX_AGE = 24 * 60 * 60


class ActionRefused(Exception):
    """An action that will not be taken, with the message to show the supporter.

    `status` is the HTTP status to answer with (403 not allowed or closed, 429 too many,
    400 otherwise); `retry_after` is in seconds, for 429; `field` names the form field the
    message belongs to, if any.
    """

    def __init__(self, message, status=400, retry_after=None, field=None):
        super().__init__(message)
        self.message, self.status = message, status
        self.retry_after, self.field = retry_after, field


# Rate limit ---------------------------------------------------------------------------


def rate_limit(setting: str = "CLARION_RATE_LIMIT") -> tuple[int, int]:
    """(actions, seconds) from a setting such as "5/300"; 0 actions: no limit."""
    actions, _slash, seconds = str(getattr(settings, setting)).partition("/")
    return int(actions), int(seconds or 300)


def client_ip(request) -> str | None:
    """The supporter's address: REMOTE_ADDR, or the one our own proxies recorded.

    CLARION_TRUSTED_PROXIES counts the proxies in front of the site; each appends the
    address it saw to X-Forwarded-For, so the client is that many entries from the right.
    Anything further left could be written by the client itself and is ignored.
    """
    proxies = settings.CLARION_TRUSTED_PROXIES
    if proxies:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        if len(forwarded) >= proxies and forwarded[-proxies]:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


def _network_key(address: str) -> str:
    """One key per IPv4 address or IPv6 /64 (one household's prefix), hashed: no IP in the cache."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        network = address
    else:
        network = (
            str(ipaddress.ip_network(f"{ip}/64", strict=False)) if ip.version == 6 else str(ip)
        )
    return hashlib.blake2b(
        network.encode(), key=settings.SECRET_KEY.encode()[:64], digest_size=12
    ).hexdigest()


def check_rate(
    address: str | None, also=None, *, setting="CLARION_RATE_LIMIT", kind="rate"
) -> bool:
    """Count one action from this address; refuse with 429 past the limit.

    A fixed window in the shared cache (Redis in production): one round trip per action in
    the common case, no database row. `also()` may give commands of its own for that round
    trip (the outbox's wake-up); returns whether they could go. Other public doors (the
    representative lookup, the view beacon) count under a `kind` and `setting` of their own.
    """
    actions, seconds = rate_limit(setting)
    if not address or actions <= 0:
        return False
    now = time.time()
    window = int(now // seconds)
    key = f"clarion:{kind}:{_network_key(address)}:{window}"
    count = count_in_window(key, seconds + 1, also)
    if count > actions:
        retry_after = int((window + 1) * seconds - now) + 1
        minutes = max(1, round(retry_after / 60))
        raise ActionRefused(
            ngettext(
                "Too many actions from your connection in a short time. "
                "Please try again in %(minutes)s minute.",
                "Too many actions from your connection in a short time. "
                "Please try again in %(minutes)s minutes.",
                minutes,
            )
            % {"minutes": minutes},
            status=429,
            retry_after=retry_after,
        )
    return also is not None and isinstance(caches["default"], redis_clients.RedisCache)


# Disposable addresses ------------------------------------------------------------------


def check_address(address: str) -> None:
    """Refuse addresses at throw-away mail services (the maintained list on PyPI)."""
    domain = address.strip().rpartition("@")[2].lower().rstrip(".")
    parts = domain.split(".")
    # sub.mailinator.com is mailinator.com too.
    if any(".".join(parts[i:]) in DISPOSABLE_DOMAINS for i in range(len(parts) - 1)):
        raise ActionRefused(
            _(
                "Addresses at %(domain)s are temporary, so we could not reach you there. "
                "Please use an email address you keep."
            )
            % {"domain": domain},
            field="email",
        )


# The HTML form's guard -----------------------------------------------------------------


def started_token() -> str:
    """The value of the hidden "started" input: when this form was rendered, signed."""
    return signing.dumps(int(time.time()), salt=STARTED_SALT)


def check_form(request) -> None:
    """Refuse a form post from another site or from a robot (its honeypot filled in).

    How fast it was sent is judged apart (check_fill_time), once the form's fields are
    valid: a person who presses the button before filling anything in is shown what to
    fill in, not accused of being a robot. A robot that fills every field is still timed.
    """
    if not same_origin(request):
        raise ActionRefused(
            _("This form can only be sent from our own campaign pages."), status=403
        )
    if request.POST.get(HONEYPOT_FIELD):
        raise ActionRefused(
            _(
                'Please leave the field "Leave this field empty" empty: '
                "it is there to catch automated submissions."
            )
        )


def check_fill_time(request) -> None:
    """Refuse a form sent implausibly fast, or whose "started" token is missing or old."""
    minimum = settings.CLARION_MIN_FILL_SECONDS
    if minimum <= 0:
        return
    started = started_at(request.POST.get(STARTED_FIELD, ""))
    if started is None:  # missing, altered or too old
        raise ActionRefused(
            _("This form was open for too long. Please check your details and send it again.")
        )
    if time.time() - started < minimum:
        raise ActionRefused(
            _(
                "That was quicker than a person can fill in the form. "
                "Please check your details and send it again."
            )
        )


def started_at(token: str) -> int | None:
    """When the form that carried this "started" token was first shown, if the token is
    ours and not too old."""
    started = _signed_time(token)
    if started is None or time.time() - started > STARTED_MAX_AGE:
        return None
    return started


# A cached page hands every visitor the same token for as long as it is cached: its
# signature is checked once per process, not on every action.
@lru_cache(maxsize=1024)
def _signed_time(token: str) -> int | None:
    try:
        started = signing.loads(token, salt=STARTED_SALT)
    except signing.BadSignature:
        return None
    return started if isinstance(started, int) else None


def same_origin(request) -> bool:
    """Whether a browser sent this post from one of our own pages.

    Browsers mark every request with Sec-Fetch-Site, and older ones with Origin; a post
    forged from another site carries one of them pointing elsewhere. A request with neither
    comes from a program, not from a victim's browser, and has no cookies to abuse (this
    form uses none), so it is judged by the other checks.
    """
    fetch_site = request.META.get("HTTP_SEC_FETCH_SITE")  # META: request.headers copies all
    origin = request.META.get("HTTP_ORIGIN")
    if fetch_site in ("same-origin", "none"):
        return True
    if origin is None:
        return fetch_site is None
    if origin in settings.CSRF_TRUSTED_ORIGINS:
        return True
    parts = urlsplit(origin)
    return (parts.scheme, parts.netloc) == (request.scheme, request.get_host())
