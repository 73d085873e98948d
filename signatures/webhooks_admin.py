"""Admin screens for webhooks: endpoints are snippets; their delivery log is read-only."""

from django.utils.translation import gettext_lazy as _
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import WebhookDelivery, WebhookEndpoint


class ReadOnlyPolicy(ModelPermissionPolicy):
    """The log is written by the workers only: admins may look, never add, edit or delete."""

    WRITES = {"add", "change", "delete"}

    def user_has_permission(self, user, action):
        return action not in self.WRITES and super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)


class WebhookEndpointViewSet(SnippetViewSet):
    model = WebhookEndpoint
    icon = "link-external"
    menu_label = _("Webhooks")
    list_display = ("name", "url", "site", "is_active")
    list_filter = ("site", "is_active")


class WebhookDeliveryViewSet(SnippetViewSet):
    model = WebhookDelivery
    icon = "history"
    menu_label = _("Webhook log")
    list_display = (
        "created_at",
        "endpoint",
        "event",
        "signature_id",
        "state",
        "attempts",
        "response_status",
        "last_error",
    )
    list_filter = ("state", "endpoint")
    inspect_view_enabled = True
    # The signature's number is in the title; its field would show the supporter's name to
    # people who may read the log but not signatures.
    inspect_view_fields_exclude = ["signature"]
    copy_view_enabled = False


register_permission_policy(WebhookDelivery, ReadOnlyPolicy(WebhookDelivery))
register_snippet(WebhookEndpoint, viewset=WebhookEndpointViewSet)
register_snippet(WebhookDelivery, viewset=WebhookDeliveryViewSet)
