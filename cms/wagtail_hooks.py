from django.contrib.auth.models import Permission
from wagtail import hooks


@hooks.register("register_permissions")
def scripts_permission():
    """Offer the scripts permission in Settings → Groups, so admins can grant it to a few."""
    return Permission.objects.filter(content_type__app_label="cms", codename="edit_scripts")
