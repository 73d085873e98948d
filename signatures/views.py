from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from campaigns.models import CampaignPage

from . import services
from .forms import SignatureForm


@require_POST
def sign(request, campaign_id: int):
    """Take a supporter's action. Kept off Wagtail's page routing: this is the hot path."""
    campaign = get_object_or_404(CampaignPage.objects.live(), pk=campaign_id)
    form = SignatureForm(request.POST, campaign=campaign)
    if form.is_valid():
        try:
            services.sign(campaign, form.cleaned_data, client_ip=request.META.get("REMOTE_ADDR"))
        except services.ActionRefused as refusal:
            form.add_error(None, refusal.message)
            return _show_form(request, campaign, form, refusal.status)
    else:
        return _show_form(request, campaign, form, 400)
    # New or repeat, the answer is the same: the page never tells who has signed.
    return HttpResponseRedirect(campaign.url + campaign.reverse_subpage("thank_you"))


def _show_form(request, campaign, form, status):
    """The campaign page again, with the supporter's input and what to correct."""
    context = campaign.get_context(request) | {"form": form}
    return TemplateResponse(request, campaign.get_template(request), context, status=status)
