"""The email provider's tracking webhook, at /anymail/<provider>/tracking/.

Only the provider EMAIL_PROVIDER names has the route: another provider's address is a 404,
like any address that does not exist (anymail's views check their provider's settings when
called, so an unconfigured one would answer anyone with a 500).

anymail's views authenticate each request as the provider requires: HTTP basic auth with
ANYMAIL_WEBHOOK_SECRET (required here for every provider), and also the provider's own
signature where it signs its posts (e.g. Mailgun's ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY).
They turn the body into tracking events, which `received` hands to the tracking service.
"""

import functools

from anymail import urls as anymail_urls
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponseForbidden
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from . import action_metrics
from .services import tracking


def received(sender, event, esp_name, **kwargs):
    """anymail's `tracking` signal."""
    action_metrics.TRACKING_EVENTS.labels(event.event_type).inc()
    tracking.record(event)


def counting_refusals(view):
    @functools.wraps(view)
    def counted(request, *args, **kwargs):
        if not settings.ANYMAIL.get("WEBHOOK_SECRET"):
            # anymail would only warn and take anyone's events: bounces could be forged to
            # silence supporters' emails.
            action_metrics.TRACKING_FAILURES.inc()
            return HttpResponseForbidden(
                "Tracking webhooks need ANYMAIL_WEBHOOK_SECRET.\n", content_type="text/plain"
            )
        try:
            response = view(request, *args, **kwargs)
        except SuspiciousOperation:  # anymail's failed authentication: a 400
            action_metrics.TRACKING_FAILURES.inc()
            raise
        if response.status_code >= 400:
            action_metrics.TRACKING_FAILURES.inc()
        return response

    return counted


#: anymail's tracking views, by provider (Clarion takes no inbound mail).
VIEWS = {
    pattern.name.removesuffix("_tracking_webhook"): counting_refusals(pattern.callback)
    for pattern in anymail_urls.urlpatterns
    if pattern.name and pattern.name.endswith("_tracking_webhook")
}


@csrf_exempt  # as anymail's own views: providers authenticate otherwise
def tracking_webhook(request, provider: str):
    if provider != settings.EMAIL_PROVIDER or provider not in VIEWS:
        raise Http404
    return VIEWS[provider](request)


urlpatterns = [path("<str:provider>/tracking/", tracking_webhook, name="tracking_webhook")]
