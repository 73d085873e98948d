"""Answers for requests the views should never see: a database that cannot be reached
(503), query strings it cannot take (400, or 422 as the API reports bad parameters), and
API addresses no route takes (in the API's own problem details)."""

import logging
from functools import lru_cache

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string
from django.urls import is_valid_path
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from wagtail.api.v3.errors import problem_response

from campaigns.models import MAX_PAGE_ID

logger = logging.getLogger(__name__)

#: No list is longer: page (and image) ids are 32-bit.
MAX_OFFSET = MAX_PAGE_ID

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


class QueryGuardMiddleware:
    """Refuses query strings the database cannot take, before any view builds a query.

    A NUL character is no text anyone types, and PostgreSQL cannot compare one with
    anything; the API's lists (Wagtail's pages and images too) take any `offset`, and one
    beyond 64 bits overflows. Either would end in a server error.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.META.get("QUERY_STRING"):  # most requests: spare parsing nothing
            return self.get_response(request)
        if request.path.startswith("/api/"):
            if error := self.api_error(request.GET):
                return problem_response(status=422, detail=error["msg"], errors=[error])
        elif self.nul_parameter(request.GET) is not None:
            return HttpResponseBadRequest(render_to_string("400.html"))
        return self.get_response(request)

    @staticmethod
    def nul_parameter(query) -> str | None:
        """The first parameter whose name or value holds a NUL."""
        for key, values in query.lists():
            if any("\x00" in text for text in (key, *values)):
                return key
        return None

    @classmethod
    def api_error(cls, query) -> dict | None:
        """The first parameter refused, as the API reports validation errors."""
        if (key := cls.nul_parameter(query)) is not None:
            message = _("The address holds a character that is not text (NUL).")
            return {"loc": ["query", key], "msg": str(message), "type": "string_type"}
        offset = query.get("offset", "")
        if offset.isdigit() and int(offset) > MAX_OFFSET:
            message = _("The offset is larger than any list.")
            return {"loc": ["query", "offset"], "msg": str(message), "type": "less_than_equal"}
        return None


class ApiAddressMiddleware:
    """Answers API requests that no route takes as the API answers errors: problem details.

    An address without its final slash is redirected with 308, which keeps the method and
    the body; Django's 301 would turn a supporter's POST into a GET and lose the action.
    An unknown address (404) and a method the route does not take (405) would otherwise
    get an HTML page that a front end cannot read.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        if not request.path_info.endswith("/") and is_valid_path(f"{request.path_info}/"):
            response = HttpResponse(status=308)
            response["Location"] = request.get_full_path(force_append_slash=True)
            return response
        response = self.get_response(request)
        if response.status_code in (404, 405) and not response.get("Content-Type", "").startswith(
            "application/problem+json"
        ):
            if response.status_code == 404:
                detail = _("Nothing is at this address in the API.")
            else:
                detail = _("This address does not take %(method)s requests.") % {
                    "method": request.method
                }
            answer = problem_response(status=response.status_code, detail=str(detail))
            if "Allow" in response:
                answer["Allow"] = response["Allow"]
            return answer
        return response


class LanguageMiddleware:
    """Django's LocaleMiddleware (the language from the address's prefix, or else from the
    browser), without its redirect of a 404 to the same address under a prefix.

    That redirect would catch every 404 here, the API's too: Wagtail's pages, under the
    prefixes, take any address. Addresses without a prefix are cms.views.unprefixed_page's
    to answer, which sends a visitor to the page they named (or 404). A plain middleware,
    not a subclass of Django's: every request, an action's included, passes through it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Django's, with the address's language looked up once per first segment.
        urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
        prefixes_used, default_prefixed = is_language_prefix_patterns_used(urlconf)
        from_path = language_of_path(request.path_info) if prefixes_used else None
        language = from_path
        if language is None:
            language = translation.get_language_from_request(request)
            if prefixes_used and not default_prefixed:
                language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        if from_path is None:
            patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


def language_of_path(path: str) -> str | None:
    """The language an address's prefix names (/fr/… → fr), or None (/api/…, /act/…)."""
    return _language_of_prefix(path.split("/", 2)[1] if path.count("/") else path)


@lru_cache(maxsize=256)
def _language_of_prefix(prefix: str) -> str | None:
    # Django's lookup raises and catches an exception for every first segment that names no
    # language, as on every API request: three times a request, about 40 µs.
    return translation.get_language_from_path(f"/{prefix}/")
