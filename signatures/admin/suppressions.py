"""Suppressed addresses: why supporters' emails to an address are held back, and lifting
that (a signature moderator's decision, logged). The list holds keyed hashes only, so an
address is entered, by POST, to find its entry."""

from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..models import Suppression
from ..services import tracking
from .forms import SuppressionForm
from .permissions import MODERATE, permission_required


@permission_required(MODERATE)
@require_http_methods(["GET", "POST"])
def suppressions(request):
    form = SuppressionForm(request.POST or None)
    found, checked = None, False
    if request.method == "POST" and form.is_valid():
        address = form.cleaned_data["email"]
        if form.cleaned_data["action"] == "lift":
            if tracking.lift(address, request.user):
                messages.success(request, _("Lifted: emails to this address go again."))
            else:
                messages.warning(request, _("This address was not suppressed."))
            return redirect("signatures_admin:suppressions")
        found, checked = tracking.suppression_of(address), True
    context = {
        "form": form,
        "found": found,
        "checked": checked,
        "recent": Suppression.objects.in_force(timezone.now()).order_by("-created_at")[:50],
        "title": _("Suppressed addresses"),
    }
    status = 400 if request.method == "POST" and not form.is_valid() else 200
    return TemplateResponse(request, "signatures/admin/suppressions.html", context, status=status)
