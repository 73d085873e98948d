"""Screens about what became of the letters, the targets' links and the updates to
supporters: no supporter's data in them, so apart from the signature screens (urls.py), whose every route is for those who may
see supporters (tests/moderation/test_permissions.py)."""

from django.urls import path

from . import delivery_report, reply_links, updates

app_name = "delivery_admin"
urlpatterns = [
    path("<int:campaign_id>/", delivery_report.delivery_report, name="delivery_report"),
    path("reply-links/<int:target_id>/revoke/", reply_links.revoke, name="revoke_reply_links"),
    path("<int:campaign_id>/updates/", updates.sending, name="update_sending"),
    path("updates/<int:mailing_id>/", updates.pause_or_resume, name="update_pause_or_resume"),
]
