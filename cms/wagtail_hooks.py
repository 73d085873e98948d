from django.contrib.auth.models import Permission
from django.urls import path
from wagtail import hooks

from campaigns import translation_admin

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
        path(
            "translations/<int:page_id>/submit/",
            translation_admin.submit_translation,
            name="translation_submit",
        )
    ]


@hooks.register("register_admin_urls", order=-1)
def translation_screens_that_publish():
    """wagtail-localize's own addresses, answered first by views that ask for the right to
    publish (campaigns.translation_admin): its views would publish for whoever may translate."""
    return [
        path(
            "localize/update/<int:translation_source_id>/",
            translation_admin.update_translations,
        ),
        path("localize/page/<int:page_id>/convert_to_alias/", translation_admin.convert_to_alias),
    ]


@hooks.register("construct_page_action_menu")
def convert_to_alias_only_for_publishers(menu_items, request, context):
    """wagtail-localize's "Convert to alias page" puts the page live with its source: offered
    only to those who may publish it, as its screen is (translation_admin.convert_to_alias)."""
    page = context.get("page")
    if page is not None and page.pk and not translation_admin.may_publish(page, request.user):
        menu_items[:] = [item for item in menu_items if item.name != "localize-convert-to-alias"]
