from django.contrib.auth.models import Permission
from wagtail import hooks

from .views import served_where_it_belongs


@hooks.register("register_permissions")
def scripts_permission():
    """Offer the scripts permission in Settings → Groups, so admins can grant it to a few."""
    return Permission.objects.filter(content_type__app_label="cms", codename="edit_scripts")


@hooks.register("before_serve_page")
def only_in_its_own_language(page, request, serve_args, serve_kwargs):
    return served_where_it_belongs(page, request)
