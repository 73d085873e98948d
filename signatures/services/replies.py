"""Targets answering: the private link in their letters, and the answers it brings.

A link names one campaign (its source page), one target and the target's link number,
signed with the site's secret (django.core.signing), and lasts LINK_MAX_AGE. Nobody can
make one for another target or campaign; raising the target's number (`revoke_links`)
ends every link it was sent, and its later letters carry new ones. What the link's page
receives is a draft (`TargetReply`, not live): nothing public changes until a moderator
publishes it. The page behind the link shows the campaign and how many wrote, never who.
"""

from dataclasses import dataclass

from django.core import signing
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.log_actions import log

from .. import counter, log_actions
from ..abuse import ActionRefused
from ..models import Delivery, TargetReply

LINK_SALT = "clarion.replies.link"
#: How long a link in a letter works: a campaign's life, and time to answer after it.
LINK_MAX_AGE = 180 * 24 * 60 * 60


@dataclass(frozen=True)
class ReplyLink:
    campaign: object  # the campaign page (its source: the one answers are recorded against)
    target: object


def token_for(campaign, target) -> str:
    return signing.dumps(
        [campaign.counter_source.pk, target.pk, target.reply_link_version], salt=LINK_SALT
    )


def link_for(campaign, target) -> str:
    """The full address of `target`'s answer page for `campaign`, in the campaign's language."""
    with translation.override(campaign.language):
        path = reverse("signatures:answer", args=[token_for(campaign, target)])
    return campaign.get_site().root_url + path


def people_who_wrote(campaign, target) -> int:
    """How many people wrote to `target`: on a campaign's own targets every counted action
    (the shown count, from the cache); a representative, the letters owed to it."""
    if any(own.pk == target.pk for own in campaign.targets):
        return counter.displayed_count(campaign)
    return (
        Delivery.objects.filter(target=target, signature__campaign_id=campaign.counter_source.pk)
        .exclude(state=Delivery.State.WITHHELD)
        .count()
    )


def invitation(campaign, target, sample: bool = False) -> str:
    """The paragraph that ends a letter or digest; empty if the campaign asks no answers.

    `sample`: for an editor's preview, with a link that opens nothing (a real one would let
    whoever previews answer as the target)."""
    if not campaign.reply_links:
        return ""
    sample = sample or target.pk is None
    count = counter.displayed_count(campaign) if sample else people_who_wrote(campaign, target)
    with translation.override(campaign.language):
        ask = ngettext(
            "Answer the %(count)s person who wrote to you:",
            "Answer the %(count)s people who wrote to you:",
            count,
        ) % {"count": count}
        note = _("This link is for you only; your answer is published once we have read it.")
        link = (
            campaign.get_site().root_url + reverse("signatures:answer", args=["…"])
            if sample
            else link_for(campaign, target)
        )
    return f"{ask}\n{link}\n{note}"


def read_link(token: str) -> ReplyLink:
    """The campaign and target a link is for; ActionRefused if it cannot be used."""
    from campaigns.models import CampaignPage, Target

    try:
        campaign_id, target_id, version = signing.loads(token, salt=LINK_SALT, max_age=LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise ActionRefused(
            _("This link has expired. Please write to the campaign's organisers instead."),
            status=410,
        ) from None
    except (signing.BadSignature, TypeError, ValueError):
        raise ActionRefused(
            _("This link is not valid. Please copy the whole link from the email."), status=404
        ) from None
    campaign = CampaignPage.objects.live().filter(pk=campaign_id).first()
    target = Target.objects.filter(pk=target_id).first()
    if campaign is None or target is None:
        raise ActionRefused(_("This campaign no longer takes answers here."), status=410)
    if target.reply_link_version != version or not campaign.reply_links:
        raise ActionRefused(
            _("This link has been withdrawn. Please use the link in the latest letter."),
            status=410,
        )
    return ReplyLink(campaign, target)


def receive_reply(token: str, body: str, document=None) -> TargetReply:
    """A target's answer through its link: saved as a draft for the campaign's moderators."""
    link = read_link(token)
    with transaction.atomic():
        reply = TargetReply(
            campaign=link.campaign,
            target=link.target,
            body=body,
            channel=TargetReply.Channel.LINK,
            received_at=timezone.now(),
            live=False,
        )
        if document:
            reply.document = document
        reply.save()
        reply.save_revision(log_action=True)  # a draft, in the snippet's history
    return reply


def revoke_links(target, user) -> None:
    """End every reply link `target` was sent; its next letters carry new ones."""
    from campaigns.models import Target

    with transaction.atomic():
        Target.objects.filter(pk=target.pk).update(reply_link_version=F("reply_link_version") + 1)
        log(target, log_actions.REVOKE_REPLY_LINKS, user=user)
