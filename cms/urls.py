from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms import health, metrics
from cms.api import api
from cms.views import favicon, serve_page, unprefixed_page
from signatures.urls import unprefixed_urlpatterns

# Django tries routes in order, each include a resolver of its own: the two routes that take
# an action, the hot path, come first (the API's, then the form's under its language), and
# the action route is the first of the API's 63.
api_routes, api_app, api_namespace = api.urls
api_routes.sort(key=lambda route: route.name != "campaign_sign")

urlpatterns = [
    path("api/v3/", include((api_routes, api_app), namespace=api_namespace)),
    # Under each language's prefix (/en/act/…), as the pages are.
    *i18n_patterns(path("", include("signatures.urls"))),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("anymail/", include("signatures.tracking_webhooks")),
    path("health/", health.readiness, name="health"),
    path("health/live/", health.liveness, name="health_live"),
    path("metrics", metrics.export, name="metrics"),
    path("favicon.ico", favicon, name="favicon"),
    *unprefixed_urlpatterns,
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Pages carry their language: /en/…, /fr/… (each translation of a page has its own slug).
# Wagtail's routes (its password and login forms, then pages), with its page view's route
# found faster for published campaign pages (cms.views.serve_page, same address and name).
wagtail_routes = [
    re_path(wagtail_urls.serve_pattern, serve_page, name="wagtail_serve")
    if getattr(route, "name", None) == "wagtail_serve"
    else route
    for route in wagtail_urls.urlpatterns
]
urlpatterns += i18n_patterns(path("", include(wagtail_routes)))
# Any other address is one from before languages were in addresses (or `/`): it leads to
# the page it named, in the visitor's language where that page is translated into it. Not
# under /api/, whose unknown addresses are answered as the API answers (cms.middleware).
urlpatterns += [re_path(r"^(?!api/)(?P<path>.*)$", unprefixed_page, name="unprefixed_page")]
