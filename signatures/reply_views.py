"""A target's answer page, behind the private link in its letters (services.replies).

GET shows the campaign, how many wrote and the form; POST keeps the answer as a draft for
the campaign's moderators. No supporter's details, ever; the address carries a token, so
the page is never cached or indexed and sends no Referer.
"""

from django.template.response import TemplateResponse

from .abuse import ActionRefused
from .reply_forms import ReplyForm
from .services import replies


def answer(request, token: str):
    try:
        link = replies.read_link(token)
    except ActionRefused as refusal:
        return _page(request, {"error": refusal.message}, refusal.status)
    campaign = link.campaign.in_language(request.LANGUAGE_CODE)
    campaign.activate_language(request)
    form = ReplyForm(request.POST or None, request.FILES or None)
    context = {
        "campaign": campaign,
        "target": link.target,
        "count": replies.people_who_wrote(campaign, link.target),
        "form": form,
    }
    if request.method == "POST":
        if not form.is_valid():
            return _page(request, context, 400)
        try:
            replies.receive_reply(token, form.cleaned_data["body"], form.cleaned_data["document"])
        except ActionRefused as refusal:  # withdrawn meanwhile
            return _page(request, {"error": refusal.message}, refusal.status)
        return _page(request, context | {"received": True}, 200)
    return _page(request, context, 200)


def _page(request, context, status):
    response = TemplateResponse(request, "signatures/answer.html", context, status=status)
    response["Cache-Control"] = "private, no-store"
    # The token is in the address: no other site may see it. Not "no-referrer", which
    # makes browsers post the form with `Origin: null`, refused by Django's CSRF check.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response
