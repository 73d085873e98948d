"""Milestones: when a campaign's count crosses a threshold its editors set, staff are told
and each of its targets gets one message, "N people have now written to you"; on a campaign
that writes to representatives, so does each representative written to, N being how many
wrote to them.

Exactly once per threshold, however many workers see it crossed at once: the crossing is
a row claimed with the unique (campaign, threshold) key (`claim`), and only the claimant
owes the messages, each its own outbox row enqueued by task name after commit. Sending
one follows the letters' rule (delivery.py): marked sent in the transaction that hands it
to the mail server, committed right after the 250; the sweeper re-sends what is owed.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.log_actions import log

from .. import counter, log_actions, task_names
from ..models import Delivery, MilestoneCrossing, MilestoneMessage
from . import mailer, replies, send_guard
from .delivery import commit_without_waiting_for_disk, mailbox, one_line, sender_for
from .outbox import GRACE, enqueue_on_commit, resend

logger = logging.getLogger(__name__)


def check(campaign) -> list[int]:
    """Claim every milestone of `campaign` its count has reached and nobody has claimed;
    returns the thresholds this call claimed. Never fails the caller (a dispatch)."""
    source = _source(campaign)
    thresholds = source.milestone_thresholds
    if not thresholds:
        return []
    count = counter.read_count(source.pk) + source.counter_offset
    reached = [threshold for threshold in thresholds if threshold <= count]
    if not reached:
        return []
    known = set(
        MilestoneCrossing.objects.filter(campaign_id=source.pk, threshold__in=reached).values_list(
            "threshold", flat=True
        )
    )
    claimed = []
    for threshold in reached:
        if threshold not in known:
            try:
                if claim(source, threshold, count):
                    claimed.append(threshold)
            except Exception:
                logger.exception("milestone %s of campaign %s not claimed", threshold, source.pk)
    return claimed


def claim(campaign, threshold: int, count: int) -> bool:
    """Insert the crossing; True only for the one caller whose insert made it. A concurrent
    claimant waits on the unique key until this commits, then finds the row and owes
    nothing."""
    try:
        with transaction.atomic():  # a savepoint: a lost race leaves the caller's work intact
            crossing = MilestoneCrossing.objects.create(
                campaign_id=campaign.pk, threshold=threshold, count=count
            )
            messages = MilestoneMessage.objects.bulk_create(
                MilestoneMessage(crossing=crossing, target=target) for target in _told(campaign)
            )
            for message in messages:
                enqueue_on_commit(task_names.SEND_MILESTONE_MESSAGE, message.pk)
            enqueue_on_commit(task_names.SEND_MILESTONE_NOTICE, crossing.pk)
            log(campaign, log_actions.MILESTONE, data={"threshold": threshold, "count": count})
    except IntegrityError:
        return False
    return True


def _told(campaign) -> list:
    """Who hears of a milestone: the campaign's own targets and, on a campaign that writes
    to representatives, each representative it has written to (once, if also a target)."""
    from campaigns.models import Target

    told = {target.pk: target for target in campaign.targets}
    if campaign.writes_to_representatives:
        written_to = Target.objects.filter(
            pk__in=Delivery.objects.filter(
                signature__campaign_id=campaign.pk, target__directory__isnull=False
            )
            .exclude(state=Delivery.State.WITHHELD)
            .values("target_id")
        )
        for target in written_to:
            told.setdefault(target.pk, target)
    return list(told.values())


def _source(campaign):
    from campaigns.models import CampaignPage

    source_id = campaign.counter_source.pk
    return campaign if source_id == campaign.pk else CampaignPage.objects.get(pk=source_id)


def compose_message(message: MilestoneMessage) -> EmailMessage:
    from campaigns.models import CampaignPage

    campaign = CampaignPage.objects.get(pk=message.crossing.campaign_id)
    target = message.target
    # A campaign's own target hears the threshold; a representative, how many wrote to them.
    if any(own.pk == target.pk for own in campaign.targets):
        written = message.crossing.threshold
    else:
        written = replies.people_who_wrote(campaign, target)
    sender = sender_for(campaign)
    with translation.override(campaign.language):
        number = number_format(written, force_grouping=True)  # 1,000 / 1 000
        subject = ngettext(
            "%(number)s person has now written to you: %(title)s",
            "%(number)s people have now written to you: %(title)s",
            written,
        ) % {
            "number": number,
            "title": campaign.title,
        }
        body = ngettext(
            "%(salutation)s %(name)s,\n\n%(number)s person has now written to you about "
            "“%(title)s”.\n",
            "%(salutation)s %(name)s,\n\n%(number)s people have now written to you about "
            "“%(title)s”.\n",
            written,
        ) % {
            "salutation": target.salutation,
            "name": target.name,
            "number": number,
            "title": campaign.title,
        }
        if campaign.reply_links:
            link = replies.link_for(campaign, target)
            body += "\n" + _("Answer them: %(link)s") % {"link": link} + "\n"
    return EmailMessage(
        subject=one_line(subject),
        body=body.lstrip(),
        from_email=sender,
        to=[mailbox(str(target), target.email)],
    )


def send_message(message_id: int) -> None:
    """Send one target's milestone message unless it has gone already."""
    with send_guard.sending(), transaction.atomic():
        message = (
            MilestoneMessage.objects.select_for_update(of=("self",))
            .select_related("crossing", "target")
            .filter(pk=message_id, sent_at__isnull=True)
            .first()
        )
        if message is None:
            return
        if not message.target.live or not message.target.email:
            message.sent_at, message.last_error = timezone.now(), "No approved address: not sent."
            message.save(update_fields=["sent_at", "last_error"])
            return
        email = compose_message(message)
        message.sent_at = timezone.now()
        message.attempts += 1
        message.save(update_fields=["sent_at", "attempts"])
        commit_without_waiting_for_disk()
        mailer.send(email)


def note_failure(message_id: int, error: Exception, seconds: float = 300) -> None:
    MilestoneMessage.objects.filter(pk=message_id, sent_at__isnull=True).update(
        attempts=F("attempts") + 1,
        last_error=f"{type(error).__name__}: {error}"[:1000],
        due_at=timezone.now() + timedelta(seconds=seconds),
    )


def send_notice(crossing_id: int) -> None:
    """Tell staff: the campaign's owner and the site's MANAGERS, once."""
    from campaigns.models import CampaignPage

    with send_guard.sending(), transaction.atomic():
        crossing = (
            MilestoneCrossing.objects.select_for_update()
            .filter(pk=crossing_id, staff_told_at__isnull=True)
            .first()
        )
        if crossing is None:
            return
        campaign = CampaignPage.objects.select_related("owner").get(pk=crossing.campaign_id)
        recipients = [address for _name, address in settings.MANAGERS]
        if campaign.owner and campaign.owner.email:
            recipients.append(campaign.owner.email)
        crossing.staff_told_at = timezone.now()
        crossing.save(update_fields=["staff_told_at"])
        if not recipients:
            return  # the campaign's history shows it (the log entry)
        with translation.override(campaign.language):
            number = number_format(crossing.threshold, force_grouping=True)
            subject = _("Milestone reached: %(number)s on “%(title)s”") % {
                "number": number,
                "title": campaign.title,
            }
            body = _(
                "“%(title)s” has reached %(number)s actions. Each of its targets is being "
                "sent one message saying so."
            ) % {"title": campaign.title, "number": number}
        commit_without_waiting_for_disk()
        mailer.send(
            EmailMessage(
                subject=one_line(subject),
                body=body,
                from_email=sender_for(campaign),
                to=sorted(set(recipients)),
            )
        )


def sweep(now=None) -> tuple[int, int]:
    """Re-enqueue the milestone messages and notices a lost broker or a killed worker left."""
    now = now or timezone.now()
    overdue = now - GRACE
    messages = MilestoneMessage.objects.filter(sent_at__isnull=True, due_at__lt=overdue)
    notices = MilestoneCrossing.objects.filter(
        staff_told_at__isnull=True, notice_due_at__lt=overdue
    )
    return (
        resend(messages, task_names.SEND_MILESTONE_MESSAGE, "due_at", now),
        resend(notices, task_names.SEND_MILESTONE_NOTICE, "notice_due_at", now),
    )
