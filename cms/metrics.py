"""GET /metrics: Prometheus's scrape, never public.

With CLARION_METRICS_TOKEN set, only a request bearing it (`Authorization: Bearer …`) is
served, whatever address it comes from: behind a proxy on the same machine every request
comes from loopback. Without a token, only requests from this machine that no proxy
forwarded are served (a Prometheus on the same host, or `curl` while debugging).
"""

import hmac
import ipaddress
import os

import prometheus_client
from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from prometheus_client import multiprocess

from signatures.action_metrics import StateCollector


@never_cache
def export(request):
    if not allowed(request):
        response = HttpResponse("Metrics need the scrape token.\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        response["Content-Type"] = "text/plain; charset=utf-8"
        return response
    registry = prometheus_client.CollectorRegistry(auto_describe=True)
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        multiprocess.MultiProcessCollector(registry)  # every gunicorn worker's counts
    else:
        registry = prometheus_client.REGISTRY
    body = prometheus_client.generate_latest(registry) + prometheus_client.generate_latest(
        STATE_REGISTRY
    )
    return HttpResponse(body, content_type=prometheus_client.CONTENT_TYPE_LATEST)


STATE_REGISTRY = prometheus_client.CollectorRegistry(auto_describe=False)
STATE_REGISTRY.register(StateCollector())


def allowed(request) -> bool:
    token = settings.CLARION_METRICS_TOKEN
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            given.strip().encode(), token.encode()
        )
    if "X-Forwarded-For" in request.headers:
        return False
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False
