"""Screens about what became of the letters and the targets' links: no supporter's data in
them, so apart from the signature screens (urls.py), whose every route is for those who may
see supporters (tests/moderation/test_permissions.py)."""

from django.urls import path

from . import delivery_report, reply_links

app_name = "delivery_admin"
urlpatterns = [
    path("<int:campaign_id>/", delivery_report.delivery_report, name="delivery_report"),
    path("reply-links/<int:target_id>/revoke/", reply_links.revoke, name="revoke_reply_links"),
]
