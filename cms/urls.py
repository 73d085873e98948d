from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms import health, metrics
from cms.api import api
from cms.views import favicon

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v3/", api.urls),
    path("anymail/", include("signatures.tracking_webhooks")),
    path("health/", health.readiness, name="health"),
    path("health/live/", health.liveness, name="health_live"),
    path("metrics", metrics.export, name="metrics"),
    path("favicon.ico", favicon, name="favicon"),
    path("", include("signatures.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
