"""A target's answer page, behind the private link in its letters (services.replies).

GET shows the campaign, how many wrote and the form; POST keeps the answer as a draft for
the campaign's moderators. No supporter's details, ever; the address carries a token, so
the page is never cached or indexed and sends no Referer.

Counted like the other public doors (abuse.check_rate): every request per network, before
the token is even read, so guessing links is slow; and the answers sent per link, whoever
sends them, so a forwarded letter cannot fill the moderators' queue.
"""

from django.template.response import TemplateResponse
from django.utils.translation import ngettext

from . import abuse
from .abuse import ActionRefused
from .reply_forms import ReplyForm
from .services import replies


def answer(request, token: str):
    try:
        abuse.check_rate(
            abuse.client_ip(request), setting="CLARION_ANSWER_RATE_LIMIT", kind="answer"
        )
        link = replies.read_link(token)
        if request.method == "POST":
            _check_link_rate(link)
    except ActionRefused as refusal:
        return _refused(request, refusal)
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
            return _refused(request, refusal)
        return _page(request, context | {"received": True}, 200)
    return _page(request, context, 200)


def _check_link_rate(link) -> None:
    """Count one answer sent through this target's link for this campaign."""
    try:
        abuse.check_rate(
            f"{link.campaign.pk}:{link.target.pk}",  # hashed like an address: a key per link
            setting="CLARION_ANSWER_LINK_RATE_LIMIT",
            kind="answer-link",
        )
    except ActionRefused as refusal:
        minutes = max(1, round(refusal.retry_after / 60))
        refusal.message = ngettext(
            "Many answers were sent through this link in a short time. "
            "Please try again in %(minutes)s minute.",
            "Many answers were sent through this link in a short time. "
            "Please try again in %(minutes)s minutes.",
            minutes,
        ) % {"minutes": minutes}
        raise


def _refused(request, refusal: ActionRefused):
    context = {"error": refusal.message, "too_many": refusal.status == 429}
    response = _page(request, context, refusal.status)
    if refusal.retry_after:
        response["Retry-After"] = str(refusal.retry_after)
    return response


def _page(request, context, status):
    response = TemplateResponse(request, "signatures/answer.html", context, status=status)
    response["Cache-Control"] = "private, no-store"
    # The token is in the address: no other site may see it. Not "no-referrer", which
    # makes browsers post the form with `Origin: null`, refused by Django's CSRF check.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response
