"""A supporter's action, taken through only the machinery it needs.

A POSTed action, from the campaign form or the API, is the hot path, and it uses little of
what every page and the admin go through: it shows no messages, its views are exempt from
CSRF (abuse.check_form guards the form instead), it is never one of Wagtail's redirects,
the landing counter's or the page cache's, and its view activates its campaign's language
itself. `ActionHandler` is Django's WSGI handler with settings.ACTION_MIDDLEWARE and the
routes of cms/action_urls.py; `Application`, the site's WSGI application, sends it the
POSTs to those routes and everything else to Django's handler with the site's middleware.
"""

import re
from functools import lru_cache

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler, get_path_info
from django.urls import ResolverMatch, get_resolver
from django.utils import translation


class ActionHandler(WSGIHandler):
    """Django's WSGI handler for the action routes alone."""

    def load_middleware(self, is_async=False):
        # Django's loader reads settings.MIDDLEWARE: it is lent the action routes' list
        # while this handler's chain is built, once, at start-up.
        site_middleware = settings.MIDDLEWARE
        settings.MIDDLEWARE = settings.ACTION_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = site_middleware

    def resolve_request(self, request):
        # The action routes only (reverse() keeps the site's URLconf). A language prefix
        # matches the active language, as after LocaleMiddleware.
        language, request.resolver_match = _resolve(request.path_info)
        translation.activate(language)
        return request.resolver_match


@lru_cache(maxsize=1024)
def _resolve(path: str) -> tuple[str, ResolverMatch]:
    """(the language, the route) of an action's path: both follow from the path alone, and
    the paths in use are few (a campaign in each of its languages), so each is resolved
    once per process, not on every action (it cost a twentieth of one)."""
    language = translation.get_language_from_path(path) or settings.LANGUAGE_CODE
    with translation.override(language):
        return language, get_resolver("cms.action_urls").resolve(path)


class Application:
    """The site's WSGI application (cms/wsgi.py)."""

    def __init__(self, site: WSGIHandler):
        self.site, self.actions = site, ActionHandler()
        languages = "|".join(re.escape(code) for code, _name in settings.LANGUAGES)
        # cms/action_urls.py's routes (tests/test_action_routes.py holds the two together).
        self.action_path = re.compile(
            rf"/(?:(?:{languages})/)?act/[0-9]+/|/api/v3/campaigns/[0-9]+/signatures/"
        )

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "POST" and self.action_path.fullmatch(
            get_path_info(environ)
        ):
            return self.actions(environ, start_response)
        return self.site(environ, start_response)
