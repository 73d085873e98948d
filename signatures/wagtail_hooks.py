from django.utils.translation import gettext_lazy as _
from wagtail_modeladmin.helpers import PermissionHelper
from wagtail_modeladmin.options import ModelAdmin, modeladmin_register

from .models import Signature


class SignaturePermissionHelper(PermissionHelper):
    """Signatures come only from supporters: nobody adds one in the admin."""

    def user_can_create(self, user):
        return False


class SignatureAdmin(ModelAdmin):
    model = Signature
    permission_helper_class = SignaturePermissionHelper
    menu_label = _("Signatures")
    menu_icon = "form"
    menu_order = 250
    add_to_admin_menu = True
    list_display = ("full_name", "email", "campaign", "country", "status", "created_at")
    list_filter = ("campaign", "status")
    search_fields = ("first_name", "last_name", "email")
    list_select_related = ("campaign",)
    inspect_view_enabled = True


modeladmin_register(SignatureAdmin)
