"""Withdrawing a target's reply links: for whoever may publish targets (who decides where
letters go), when a link has reached someone it was not for."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from ..services import replies
from .permissions import permission_required
from .views import safe_next

PUBLISH_TARGETS = "campaigns.publish_target"


@permission_required(PUBLISH_TARGETS)
def revoke(request, target_id):
    from campaigns.models import Target

    target = get_object_or_404(Target, pk=target_id)
    if request.method == "POST":
        replies.revoke_links(target, request.user)
        messages.success(
            request, _("Every reply link sent to %(target)s is withdrawn.") % {"target": target}
        )
        return redirect(safe_next(request, reverse("wagtailadmin_home")))
    context = {
        "target": target,
        "title": _("Withdraw reply links: %(target)s") % {"target": target},
        "next": request.GET.get("next", ""),
    }
    return TemplateResponse(request, "signatures/admin/revoke_reply_links.html", context)
