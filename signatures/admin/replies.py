"""Targets' answers in the admin: a snippet with Wagtail's draft state, so an answer that
came through a target's link waits as a draft until a moderator publishes it (the editor's
Publish button, with its history), and staff can record one that came by post or phone."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from ..models import TargetReply


class TargetReplyViewSet(SnippetViewSet):
    model = TargetReply
    icon = "mail"
    menu_label = _("Targets' answers")
    add_to_admin_menu = False
    list_display = [
        "target",
        Column("campaign", label=_("Campaign")),
        Column("channel", label=_("Received")),
        DateColumn("received_at", label=_("Received on")),
        "status_string",
    ]
    list_filter = ["live", "channel"]
    ordering = ["-received_at"]


register_snippet(TargetReply, viewset=TargetReplyViewSet)
