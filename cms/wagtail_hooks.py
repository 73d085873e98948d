from django.contrib.auth.models import Permission
from django.urls import path
from wagtail import hooks

from campaigns.translation_admin import submit_translation

from .views import served_where_it_belongs


@hooks.register("register_permissions")
def scripts_permission():
    """Offer the scripts permission in Settings → Groups, so admins can grant it to a few."""
    return Permission.objects.filter(content_type__app_label="cms", codename="edit_scripts")


@hooks.register("before_serve_page")
def only_in_its_own_language(page, request, serve_args, serve_kwargs):
    return served_where_it_belongs(page, request)


@hooks.register("register_admin_urls")
def translation_admin_urls():
    return [
        path("translations/<int:page_id>/submit/", submit_translation, name="translation_submit")
    ]
