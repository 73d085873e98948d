"""A campaign's new targets are approved with the campaign (issue 28, finding 7).

Targets an editor creates are drafts (campaigns.models.targets.Target): no letter reaches
them until someone who may publish targets publishes them. An editor who adds one to a
campaign submits the campaign for moderation, and the moderator who approves the campaign,
or anyone who publishes it, publishes its draft targets with it, if they may publish targets.
"""

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.models import Page

from campaigns.forms import PUBLISH_TARGET
from campaigns.models import CampaignPage, Target


def publish_draft_targets(campaign, user) -> list:
    """Publish, as `user`, the draft targets of `campaign` (as it stands in its latest
    revision, the one just published); nothing if `user` may not publish targets.
    Returns the targets published."""
    if user is None or not user.has_perm(PUBLISH_TARGET):
        return []
    awaiting = campaign.get_latest_revision_as_object().targets_awaiting_approval
    published = []
    with transaction.atomic():
        for target in Target.objects.filter(pk__in=[t.pk for t in awaiting], live=False):
            revision = target.get_latest_revision() or target.save_revision(user=user)
            revision.publish(user=user)
            published.append(target)
    return published


def publish_with_approved_campaign(sender, instance, user=None, **kwargs):
    """Wagtail's workflow_approved: a campaign approved wherever the moderator approves it
    (its edit screen, the dashboard) publishes its draft targets too."""
    page = instance.content_object
    if isinstance(page, Page) and issubclass(page.specific_class or Page, CampaignPage):
        publish_draft_targets(page.specific, user)


def submitted_message(campaign) -> str:
    """What the editor who submitted `campaign` is told of its draft targets ("" for none)."""
    awaiting = campaign.get_latest_revision_as_object().targets_awaiting_approval
    if not awaiting:
        return ""
    return ngettext(
        "%(targets)s was submitted with the campaign. Next, a moderator reviews both: "
        "approving the campaign publishes it and this target together, and from then on "
        "supporters' letters reach it. Until then, neither is public.",
        "%(targets)s were submitted with the campaign. Next, a moderator reviews them all: "
        "approving the campaign publishes it and these targets together, and from then on "
        "supporters' letters reach them. Until then, none is public.",
        len(awaiting),
    ) % {"targets": _names(awaiting)}


def reviewer_message(campaign, user) -> str:
    """What someone opening `campaign` in the editor is told of its draft targets: to a
    moderator, which new targets (and addresses) they approve with it ("" for none)."""
    awaiting = campaign.get_latest_revision_as_object().targets_awaiting_approval
    if not awaiting:
        return ""
    if user.has_perm(PUBLISH_TARGET):
        return ngettext(
            "A new target awaits approval with this campaign: %(targets)s. Approving or "
            "publishing the campaign publishes it too, and letters then reach that address.",
            "New targets await approval with this campaign: %(targets)s. Approving or "
            "publishing the campaign publishes them too, and letters then reach those "
            "addresses.",
            len(awaiting),
        ) % {"targets": _names(awaiting, with_address=True)}
    return ngettext(
        "%(targets)s awaits approval: submit the campaign for moderation, and the moderator "
        "who approves it publishes it.",
        "%(targets)s await approval: submit the campaign for moderation, and the moderator "
        "who approves it publishes them.",
        len(awaiting),
    ) % {"targets": _names(awaiting)}


def _names(targets, with_address=False) -> str:
    if with_address:
        return ", ".join(f"{target} <{target.email or _('no address yet')}>" for target in targets)
    return ", ".join(str(target) for target in targets)
