"""The email providers' tracking webhooks, at /anymail/<provider>/tracking/.

anymail's views authenticate each request as the provider requires: HTTP basic auth with
ANYMAIL_WEBHOOK_SECRET (required here for every provider), and also the provider's own
signature where it signs its posts (e.g. Mailgun's ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY).
They turn the body into tracking events, which `received` hands to the tracking service.
"""

import functools

from anymail import urls as anymail_urls
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponseForbidden
from django.urls import URLPattern

from . import metrics
from .services import tracking


def received(sender, event, esp_name, **kwargs):
    """anymail's `tracking` signal."""
    metrics.TRACKING_EVENTS.labels(event.event_type).inc()
    tracking.record(event)


def counting_refusals(view):
    @functools.wraps(view)
    def counted(request, *args, **kwargs):
        if not settings.ANYMAIL.get("WEBHOOK_SECRET"):
            # anymail would only warn and take anyone's events: bounces could be forged to
            # silence supporters' emails.
            metrics.TRACKING_FAILURES.inc()
            return HttpResponseForbidden(
                "Tracking webhooks need ANYMAIL_WEBHOOK_SECRET.\n", content_type="text/plain"
            )
        try:
            response = view(request, *args, **kwargs)
        except SuspiciousOperation:  # anymail's failed authentication: a 400
            metrics.TRACKING_FAILURES.inc()
            raise
        if response.status_code >= 400:
            metrics.TRACKING_FAILURES.inc()
        return response

    return counted


#: anymail's tracking routes only (Clarion takes no inbound mail).
urlpatterns = [
    URLPattern(pattern.pattern, counting_refusals(pattern.callback), name=pattern.name)
    for pattern in anymail_urls.urlpatterns
    if pattern.name and pattern.name.endswith("_tracking_webhook")
]
