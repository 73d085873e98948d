"""Updates to supporters in the admin: staff write them as snippets (drafts Editors may
write, Moderators publish, as targets' answers), and a campaign's screen shows each update's
and each answer's sending: how many queued, sent, failed or skipped (counts only: no
supporter's data, so it is for the campaign's editors too), with pause and resume for
those who may publish updates."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from ..models import CampaignUpdate, UpdateMailing
from ..services import updates
from ..services.permissions import may_see_delivery
from .permissions import forbidden_not_redirected, permission_required

#: Who may publish an update may pause and resume any update's or answer's sending.
CONTROL = "signatures.publish_campaignupdate"


class CampaignUpdateViewSet(SnippetViewSet):
    model = CampaignUpdate
    icon = "mail"
    menu_label = gettext_lazy("Updates to supporters")
    add_to_admin_menu = False
    list_display = ["subject", Column("campaign", label=gettext_lazy("Campaign")), "status_string"]
    list_filter = ["live"]
    ordering = ["-created_at"]


register_snippet(CampaignUpdate, viewset=CampaignUpdateViewSet)


def may_see(user, campaign) -> bool:
    return user.has_perm(CONTROL) or may_see_delivery(user, campaign)


@forbidden_not_redirected
def sending(request, campaign_id):
    from campaigns.models import CampaignPage

    campaign = get_object_or_404(CampaignPage, pk=campaign_id)
    if not may_see(request.user, campaign):
        raise PermissionDenied
    mailings = (
        UpdateMailing.objects.filter(campaign_id=campaign.counter_source.pk)
        .select_related("update", "reply__target")
        .order_by("-created_at")
    )
    context = {
        "campaign": campaign,
        "title": _("Updates to supporters: %(title)s") % {"title": campaign.title},
        "rows": [(mailing, updates.progress(mailing)) for mailing in mailings],
        "may_control": request.user.has_perm(CONTROL),
    }
    return TemplateResponse(request, "signatures/admin/update_sending.html", context)


@permission_required(CONTROL)
@require_POST
def pause_or_resume(request, mailing_id):
    mailing = get_object_or_404(UpdateMailing, pk=mailing_id)
    if request.POST.get("action") == "pause" and updates.pause(mailing.pk, request.user):
        messages.success(request, _("Sending paused: no more emails go until you resume it."))
    elif request.POST.get("action") == "resume" and updates.resume(mailing.pk):
        messages.success(request, _("Sending resumed."))
    else:
        messages.warning(request, _("Nothing to do: the sending has moved on meanwhile."))
    return redirect("delivery_admin:update_sending", mailing.campaign_id)
