"""cms.middleware.LanguageMiddleware picks the language Django's LocaleMiddleware picks: it
only looks an address's language prefix up once per first segment."""

import pytest
from django.http import HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from cms.middleware import LanguageMiddleware, language_of_path

PATHS = [
    "/en/act/7/",
    "/fr/campaigns/lakes/",
    "/fr",
    "/FR/x/",
    "/en-us/x/",
    "/de/x/",
    "/",
    "/act/7/",
    "/api/v3/campaigns/7/signatures/",
    "/admin/",
]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("browser", ["", "fr", "de, fr;q=0.5", "xx-yy"])
def test_each_request_gets_the_language_djangos_locale_middleware_gives_it(rf, path, browser):
    """The language the view runs in, and the answer's Vary and Content-Language."""
    seen = []
    for middleware in (LocaleMiddleware, LanguageMiddleware):
        request = rf.get(path, HTTP_ACCEPT_LANGUAGE=browser)

        def view(request):
            seen.append((request.LANGUAGE_CODE, translation.get_language()))
            return HttpResponse()

        with translation.override(None):
            response = middleware(view)(request)
        seen.append((response.get("Vary"), response["Content-Language"]))

    assert seen[2:] == seen[:2]


@pytest.mark.parametrize("path", [*PATHS, "", "/en", "//x/"])
def test_an_addresss_language_is_djangos(path):
    assert language_of_path(path) == translation.get_language_from_path(path)
