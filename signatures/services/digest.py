"""Digest mode: one email per period to each target, listing the actions since the last one.

For targets whose mail servers block floods. Deliveries of a digest campaign are created
as usual but not sent one by one; `send_digests` (every minute, from Celery beat) sends
each target of each such campaign one email when its period has passed, and marks the
listed deliveries sent in the same transaction, with the rows locked.
"""

import logging
import smtplib

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import ngettext

from campaigns.letters import fill, target_values

from ..models import Delivery
from . import replies, send_guard, tracking, webhooks
from .delivery import close_quietly, mailbox, message_id, one_line, record_failure, sender_for

logger = logging.getLogger(__name__)

#: At most this many actions in one email; the rest wait for the next period.
DIGEST_MAX_ACTIONS = 1000


def send_digests(now=None) -> int:
    """Send every digest that is due; returns how many emails were sent."""
    from campaigns.models import CampaignPage

    now = now or timezone.now()
    sent = 0
    for campaign in CampaignPage.objects.live().filter(digest_minutes__gt=0):
        for target in _digest_targets(campaign):
            try:
                sent += send_digest(campaign, target, now)
            except (OSError, smtplib.SMTPException) as error:
                logger.warning(
                    "digest for campaign %s, target %s failed: %s",
                    campaign.pk,
                    target.pk,
                    type(error).__name__,
                )
    return sent


def _digest_targets(campaign) -> list:
    """The campaign's targets, and the representatives its supporters wrote to that have
    letters waiting (each supporter's own: found when their action was dispatched)."""
    targets = campaign.targets
    if campaign.writes_to_representatives:
        from campaigns.models import Target

        waiting = Delivery.objects.filter(
            signature__campaign=campaign, state=Delivery.State.PENDING
        ).values("target_id")
        targets += Target.objects.filter(pk__in=waiting, directory__isnull=False, live=True)
    return list(dict.fromkeys(targets))


def send_digest(campaign, target, now=None) -> int:
    """Send `target` the actions on `campaign` since its last digest, if its period has passed."""
    now = now or timezone.now()
    of_target = Delivery.objects.filter(target=target, signature__campaign=campaign)
    connection, deliveries = None, []
    try:
        with send_guard.sending(), transaction.atomic():
            last = of_target.filter(state=Delivery.State.SENT).aggregate(last=Max("sent_at"))[
                "last"
            ]
            if last and (now - last).total_seconds() < campaign.digest_minutes * 60:
                return 0
            deliveries = list(
                of_target.filter(state=Delivery.State.PENDING)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("signature")
                .order_by("pk")[:DIGEST_MAX_ACTIONS]
            )
            if not deliveries:
                return 0
            with translation.override(campaign.language):
                message = compose_digest(campaign, target, deliveries)
            connection = get_connection()
            connection.open()
            connection.send_messages([message])
            of_target.filter(pk__in=[d.pk for d in deliveries]).update(
                state=Delivery.State.SENT, sent_at=now, last_error=""
            )
            webhooks.announce_letters([d.pk for d in deliveries], webhooks.LETTER_ACCEPTED)
        return 1
    except Exception as error:
        # The transaction was rolled back: note the attempt outside it, for admins.
        record_failure(Delivery.objects.filter(pk__in=[d.pk for d in deliveries]), error)
        raise
    finally:
        close_quietly(connection)


def compose_digest(campaign, target, deliveries) -> EmailMessage:
    sender = sender_for(campaign)
    signatures = [delivery.signature for delivery in deliveries]
    subject = ngettext(
        "%(count)s new action: %(title)s", "%(count)s new actions: %(title)s", len(signatures)
    ) % {"count": len(signatures), "title": campaign.title}
    body = render_to_string(
        "signatures/email/digest.txt",
        {
            "campaign": campaign,
            "target": target,
            "signatures": signatures,
            # Addressed to this target; the supporters' own details are in the list below.
            "subject": fill(campaign.message_subject, target_values(target)),
            "body": fill(campaign.message_body, target_values(target)),
            "invitation": replies.invitation(campaign, target, deliveries[0].pk is None),
        },
    )
    first = deliveries[0]
    message = EmailMessage(
        subject=one_line(subject),
        body=body,
        from_email=sender,
        to=[_address(target)],
        headers={
            "Message-ID": message_id(
                f"digest.{len(deliveries)}", first.pk, first.created_at, sender
            )
        },
    )
    message.metadata = tracking.metadata_for(
        tracking.DIGEST, target.pk, first.pk, deliveries[-1].pk
    )
    return message


def _address(target) -> str:
    return mailbox(str(target), target.email)
