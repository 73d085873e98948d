"""The statistics screens' routes, served among the moderators' screens at /admin/signatures/
and named in their signatures_admin namespace (reporting/wagtail_hooks.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("statistics/<int:campaign_id>/", views.statistics, name="statistics"),
    path("statistics/<int:campaign_id>/csv/", views.statistics_csv, name="statistics_csv"),
    path("live/", views.live_campaigns, name="live_campaigns"),
]
