"""The moderators' screens at /admin/signatures/, in the signatures_admin namespace."""

from django.urls import path
from wagtail import hooks

from . import deliveries, suppressions, views

#: A Wagtail hook: each function registered returns URL patterns of a package above
#: signatures (reporting's statistics), served among these screens and named in their
#: namespace ("signatures_admin:statistics") without signatures importing it.
SCREENS_HOOK = "register_signatures_admin_urls"

app_name = "signatures_admin"
urlpatterns = [
    path("bulk/", views.bulk_status, name="bulk"),
    path("invalidate/", views.invalidate, name="invalidate"),
    path("export/", views.export_list, name="export"),
    path("exports/", views.export_jobs, name="exports"),
    path("exports/<int:pk>/", views.export_job, name="export_job"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("data-requests/", views.data_requests, name="data_requests"),
    path("suppressions/", suppressions.suppressions, name="suppressions"),
    path("deliveries/", deliveries.index, name="deliveries"),
    path("deliveries/results/", deliveries.index_results, name="deliveries_results"),
    path("deliveries/retry/", deliveries.retry_deliveries, name="deliveries_retry"),
]


def every_urlpattern() -> list:
    """These screens' patterns and those registered under SCREENS_HOOK: asked for once the
    admin's URLs are built, when every app's hooks are known."""
    return urlpatterns + [
        pattern for screens in hooks.get_hooks(SCREENS_HOOK) for pattern in screens()
    ]
