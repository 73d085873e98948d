"""Admin screens for webhooks: endpoints are snippets; their delivery log is read-only."""

from functools import wraps

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import ObjectList
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import policy_registry, register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import SnippetChooserViewSet
from wagtail.snippets.views.snippets import SnippetViewSet

from .. import safe_http
from ..models import WebhookDelivery, WebhookEndpoint
from .permissions import forbidden_not_redirected

#: Any one of these on a webhook model opens its screens; a user with none gets 403 on all.
ANY_PERMISSION = ("add", "change", "delete", "view")


class PermittedUsersOnly:
    """For a viewset whose every screen (list, chooser, log) needs a permission on its model.

    Wagtail's snippet choosers answer every admin user, and would list endpoints' names and
    deliveries' signature ids and states to editors; its other screens turn a refusal into a
    redirect. Here a user without permission gets 403, as on the screens with supporters'
    data.
    """

    def construct_view(self, view_class, **kwargs):
        view = super().construct_view(view_class, **kwargs)
        model = self.model

        @wraps(view)
        def permitted_only(request, *args, **kwargs):
            policy = policy_registry.get_by_type(model)
            if not policy.user_has_any_permission(request.user, ANY_PERMISSION):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return forbidden_not_redirected(permitted_only)


class PermittedUsersOnlyChooserViewSet(PermittedUsersOnly, SnippetChooserViewSet):
    pass


class WebhookViewSet(PermittedUsersOnly, SnippetViewSet):
    chooser_viewset_class = PermittedUsersOnlyChooserViewSet


class ReadOnlyPolicy(ModelPermissionPolicy):
    """The log is written by the workers only: admins may look, never add, edit or delete."""

    WRITES = {"add", "change", "delete"}

    def user_has_permission(self, user, action):
        return action not in self.WRITES and super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)


class WebhookEndpointForm(WagtailAdminModelForm):
    def clean_url(self):
        """The checks every POST makes again when sent (https, public addresses only), so a
        mistake shows here rather than in the log."""
        url = self.cleaned_data["url"]
        try:
            safe_http.destination(url)
        except safe_http.Failure as failure:
            raise ValidationError(str(failure), code="unsafe_url") from None
        return url


class WebhookEndpointViewSet(WebhookViewSet):
    model = WebhookEndpoint
    edit_handler = ObjectList(WebhookEndpoint.panels, base_form_class=WebhookEndpointForm)
    icon = "link-external"
    menu_label = _("Webhooks")
    list_display = ("name", "url", "site", "is_active")
    list_filter = ("site", "is_active")


class WebhookDeliveryViewSet(WebhookViewSet):
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
