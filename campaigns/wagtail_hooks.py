"""Campaigns' part of the admin: the screen that imports a directory of representatives,
its place in the Settings menu, and how its imports read in the history; the campaign page's
add view."""

from django.urls import include, path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.views.pages.create import CreateView
from wagtail.admin.viewsets.pages import PageViewSet
from wagtail.log_actions import LogFormatter

from cms.base.admin_permissions import PermittedMenuItem
from cms.base.vendor import wagtail_autosave_clicks

from . import directory_admin
from .directory_import import log_action_names
from .models import CampaignPage


class CampaignPageCreateView(wagtail_autosave_clicks.LateClashAnsweredMixin, CreateView):
    pass


class CampaignPageViewSet(PageViewSet):
    """Wagtail's page views, but a click on the add form while its autosave creates the page
    answers with the form's message, not a 500 (issue 35; cms/base/vendor/wagtail_autosave_clicks)."""

    model = CampaignPage
    add_view_class = CampaignPageCreateView


@hooks.register("register_admin_viewset")
def register_campaign_page_viewset():
    return CampaignPageViewSet("campaign_pages")


@hooks.register("register_admin_urls")
def register_directory_admin_urls():
    return [path("directories/", include(directory_admin))]


@hooks.register("register_settings_menu_item")
def import_representatives_menu_item():
    """Beside the site's other settings: for those who may publish targets only."""
    return PermittedMenuItem(
        _("Import representatives"),
        reverse_lazy("directory_admin:import"),
        name="import-representatives",
        icon_name="group",
        order=900,
        permission=directory_admin.PUBLISH_TARGET,
    )


class DirectoryImportFormatter(LogFormatter):
    label = _("Import a directory of representatives")

    def format_message(self, log_entry):
        data = {key: 0 for key in ("created", "updated", "addresses_changed", "removed")}
        data.update(log_entry.data or {})
        how = _("replaced") if data.get("replace") else _("updated")
        return _(
            "Directory %(how)s from a file: %(created)s representatives added, %(updated)s "
            "changed (%(addresses_changed)s addresses), %(removed)s removed"
        ) % {**data, "how": how}


class RepresentativeImportFormatter(LogFormatter):
    """On the representative's history: what an import wrote, the address before and after,
    and, for a command-line run, the operating-system user who ran it."""

    label = _("Change a representative by importing a directory")

    def format_message(self, log_entry):
        data = log_entry.data or {}
        values = {
            "directory": data.get("directory", ""),
            "old": data.get("old_email") or "—",
            "new": data.get("new_email", ""),
        }
        if data.get("created"):
            message = _("Added by an import into “%(directory)s”, address %(new)s") % values
        else:
            message = _("Imported into “%(directory)s”: address %(old)s → %(new)s") % values
        if data.get("published_match"):
            message += " " + _("(it was unpublished: the import published it)")
        if data.get("superseded_draft"):
            message += " " + _("(a pending draft was superseded: check it)")
        if data.get("os_user"):
            message += " " + _("(command line, by %(user)s)") % {"user": data["os_user"]}
        return message


class LeaveDirectoryFormatter(LogFormatter):
    label = _("Leave a directory")

    def format_message(self, log_entry):
        data = log_entry.data or {}
        return _("Removed from “%(directory)s” by an import: unpublished, kept on record") % {
            "directory": data.get("directory", "")
        }


@hooks.register("register_log_actions")
def register_directory_log_actions(actions):
    actions.register_action(log_action_names.IMPORT_DIRECTORY)(DirectoryImportFormatter)
    actions.register_action(log_action_names.IMPORT_REPRESENTATIVE)(RepresentativeImportFormatter)
    actions.register_action(log_action_names.LEAVE_DIRECTORY)(LeaveDirectoryFormatter)
