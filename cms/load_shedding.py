"""Load shedding: past what a node can serve, a clear 503 with Retry-After, page views first.

A gunicorn sync worker serves one request at a time; when requests come faster than the
workers serve them, the others wait in the kernel's listen queue and every answer comes
later, until clients time out with no answer at all. So each request is asked, before any
work, how long it has waited since its last bytes arrived: the kernel keeps that for every
TCP connection (TCP_INFO's `tcpi_last_data_recv`, in milliseconds), and gunicorn hands the
application the client's socket (`environ["gunicorn.socket"]`). It is the queue time a load
balancer would put in `X-Request-Start`, measured where the queue is. A request that waited
past its limit is answered at once, without touching the database:

- reads (page views, counter polls) past CLARION_SHED_VIEWS_AFTER_MS;
- writes (actions) past CLARION_SHED_ACTIONS_AFTER_MS, a longer wait: shedding reads first
  is what keeps the actions' wait short, so actions are shed only when that is not enough.

The answer is 503 with `Retry-After` and `no-store`. An action shed is never stored (it is
refused before its view runs), so its 503 is safe to retry; one that passes is stored or
answered by the database-down 503 (cms.middleware), never left half-done. A CDN answers a
503 with its stale copy of the page or counter (`stale-if-error`). The admin, health checks
and metrics are never shed: the administrator switching surge mode on must get through.

Where the kernel cannot tell (not Linux, a Unix socket, a server other than gunicorn)
nothing is shed. A limit of 0 turns that kind's shedding off.
"""

import socket
import struct
from functools import lru_cache

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from wagtail.api.v3.errors import problem_response

#: Never shed: the admin (surge mode's switch), health checks, metrics.
NEVER_SHED = ("/admin/", "/health/", "/metrics")
READS = ("GET", "HEAD", "OPTIONS")
#: struct tcp_info (linux/tcp.h): tcpi_last_data_recv, milliseconds, after 8 bytes and 11 u32s.
LAST_DATA_RECV = struct.Struct("=I")
LAST_DATA_RECV_OFFSET = 52
TCP_INFO = getattr(socket, "TCP_INFO", None)


def waited_ms(environ) -> int:
    """Milliseconds since the request's last bytes reached this machine; 0 if unknown."""
    client = environ.get("gunicorn.socket")
    if client is None or TCP_INFO is None:
        return 0
    try:
        info = client.getsockopt(socket.IPPROTO_TCP, TCP_INFO, 104)
    except OSError:  # not TCP (a Unix socket), or already closed
        return 0
    if len(info) < LAST_DATA_RECV_OFFSET + LAST_DATA_RECV.size:
        return 0
    return LAST_DATA_RECV.unpack_from(info, LAST_DATA_RECV_OFFSET)[0]


def limit_ms(request) -> int:
    """How long this request may have waited; 0: never shed."""
    if request.path.startswith(NEVER_SHED):
        return 0
    if request.method in READS:
        return settings.CLARION_SHED_VIEWS_AFTER_MS
    return settings.CLARION_SHED_ACTIONS_AFTER_MS


class LoadSheddingMiddleware:
    """Answers 503 to a request that waited past its limit (see the module's notes)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = limit_ms(request)
        if limit and waited_ms(request.META) > limit:
            return shed(request)
        return self.get_response(request)


def shed(request) -> HttpResponse:
    language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    with translation.override(language):
        if request.path.startswith("/api/"):
            response = problem_response(status=503, detail=_busy_detail())
        else:
            response = HttpResponse(_busy_page(language), status=503)
    response["Retry-After"] = str(settings.CLARION_SHED_RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


def _busy_detail() -> str:
    return str(
        _(
            "So many people are taking part right now that this request could not be "
            "handled; nothing was saved. Please try again after the seconds in Retry-After."
        )
    )


@lru_cache(maxsize=16)
def _busy_page(language: str) -> str:
    """Rendered once per language: shedding must cost next to nothing."""
    return render_to_string("503_busy.html")
