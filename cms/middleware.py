"""Answers 503 with a plain, translatable page when the database cannot be reached."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

# Seconds a client (or a proxy) should wait before trying again.
RETRY_AFTER_SECONDS = 30


class DatabaseUnavailableMiddleware:
    """Turns a lost or refused database connection into "503, try again shortly".

    Without it, the supporter would get a bare 500 and the logs a traceback per request for
    as long as the outage lasts. The page is rendered without a request context: the usual
    context processors read the site settings from the database that is down. Nothing is
    half-written, because every write runs in one transaction that the database drops.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("database unavailable (%s) for %s", type(exception).__name__, request.path)
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
