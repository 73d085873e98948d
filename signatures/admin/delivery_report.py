"""Proof of delivery on a campaign, for its editors: per target, what became of the letters.

Editors get no permission on signatures (supporters' data); this screen shows none, so
whoever may edit the campaign, or view signatures, may open it.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from ..services.delivery_report import campaign_targets_report
from ..services.permissions import may_see_delivery
from .permissions import VIEW, forbidden_not_redirected


@forbidden_not_redirected
def delivery_report(request, campaign_id):
    from campaigns.models import CampaignPage

    campaign = get_object_or_404(CampaignPage, pk=campaign_id)
    if not may_see_delivery(request.user, campaign):
        raise PermissionDenied
    context = {
        "campaign": campaign,
        "title": _("Proof of delivery: %(title)s") % {"title": campaign.title},
        "rows": campaign_targets_report(campaign),
        "may_retry": request.user.has_perm(VIEW),
        "may_revoke": request.user.has_perm("campaigns.publish_target"),
    }
    return TemplateResponse(request, "signatures/admin/delivery_report.html", context)
