"""The site's URLs plus uploaded images, for browser tests: tests keep media in memory
(InMemoryStorage) and production serves it from the web server, so neither has a route."""

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.urls import path

from cms.urls import urlpatterns as site_urlpatterns


def media(request, name):
    if not default_storage.exists(name):
        raise Http404(name)
    return FileResponse(default_storage.open(name))


urlpatterns = [path("media/<path:name>", media), *site_urlpatterns]
