from django.urls import path

from . import deliveries, statistics, views

app_name = "signatures_admin"
urlpatterns = [
    path("bulk/", views.bulk_status, name="bulk"),
    path("invalidate/", views.invalidate, name="invalidate"),
    path("export/", views.export_list, name="export"),
    path("exports/", views.export_jobs, name="exports"),
    path("exports/<int:pk>/", views.export_job, name="export_job"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("statistics/<int:campaign_id>/", statistics.statistics, name="statistics"),
    path("statistics/<int:campaign_id>/csv/", statistics.statistics_csv, name="statistics_csv"),
    path("live/", statistics.live_campaigns, name="live_campaigns"),
    path("data-requests/", views.data_requests, name="data_requests"),
    path("deliveries/", deliveries.index, name="deliveries"),
    path("deliveries/results/", deliveries.index_results, name="deliveries_results"),
    path("deliveries/retry/", deliveries.retry_deliveries, name="deliveries_retry"),
]
