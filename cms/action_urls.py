"""The URLconf of the action handler (cms/action_routes.py): the routes that take an action,
as cms/urls.py declares them (names and namespaces included), and nothing else."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path

from cms.api import api
from signatures.urls import action_urlpatterns, unprefixed_action_urlpatterns

# The API's own route, as ninja builds it, in the API's namespace.
_api_patterns, _api_app, _api_namespace = api.urls
_api_sign = [pattern for pattern in _api_patterns if pattern.name == "campaign_sign"]

urlpatterns = [
    path("api/v3/", include((_api_sign, _api_app), namespace=_api_namespace)),
    *unprefixed_action_urlpatterns,
    *i18n_patterns(path("", include((action_urlpatterns, "signatures")))),
]
