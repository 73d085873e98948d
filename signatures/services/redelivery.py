"""Sending failed letters again, when an admin has seen why they failed and fixed it
(a target's address corrected, a mail server that refused for good now accepting)."""

from collections import Counter

from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from .. import log_actions, task_names
from ..models import Delivery, Signature
from . import letters_owed
from .outbox import enqueue_on_commit


def retry_letters(delivery_ids, user) -> int:
    """Make the selected failed deliveries pending again and hand them to the workers.

    Only letters of signatures that still count: a letter withheld because a moderator
    rejected its signature stays withheld, and an erased supporter's is never sent; nor a
    letter held for a representative who left (services.letters_owed): it waits for their
    successor.
    Logged per campaign, like every moderation action. Returns how many are retried.
    """
    from campaigns.models import CampaignPage

    with transaction.atomic():
        retrying = dict(
            Delivery.objects.select_for_update(of=("self",))
            .filter(
                pk__in=list(delivery_ids),
                state=Delivery.State.FAILED,
                signature__status=Signature.Status.COUNTED,
                signature__anonymised_at__isnull=True,
            )
            # A letter held for a representative who left waits for their successor (the
            # directory's next import): sent again, it would only fail anew, no longer held.
            .exclude(last_error__startswith=letters_owed.HELD)
            .values_list("pk", "signature__campaign_id")
        )
        Delivery.objects.filter(pk__in=retrying).update(
            state=Delivery.State.PENDING, due_at=timezone.now()
        )
        per_campaign = Counter(retrying.values())
        campaigns = CampaignPage.objects.in_bulk(per_campaign)
        for campaign_id, count in sorted(per_campaign.items()):
            log(
                campaigns[campaign_id],
                log_actions.RETRY_DELIVERIES,
                user=user,
                data={"count": count},
            )
        for pk in sorted(retrying):
            enqueue_on_commit(task_names.DELIVER_LETTER, pk)
    return len(retrying)
