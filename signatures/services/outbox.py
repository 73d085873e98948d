"""The outbox: nothing accepted is lost, even when the broker is down.

A new signature row is its own outbox entry (`dispatched_at` empty), each delivery row is
one too (`state` pending), and so is the supporter's own email (`email_due_at` set). Tasks are enqueued after commit; if that fails, the request
still succeeds and the periodic `sweep` re-enqueues whatever was left behind. Every task is
idempotent (row lock + state check), so enqueueing twice is harmless.
"""

import logging
from datetime import timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone

from ..models import Delivery, Signature
from . import webhooks
from .delivery import commit_without_waiting_for_disk

logger = logging.getLogger(__name__)

#: Rows older than this and still not handed over are considered lost in transit.
GRACE = timedelta(minutes=2)
#: At most this many rows of each kind per sweep (it runs every minute).
SWEEP_BATCH = 2000
#: Dispatching a new action waits while letters are owed (Redis serves priority 0 first): a
#: surge of actions, or the sweeper's catch-up after an outage, must not hold up the emails
#: already promised, and a restarted worker goes back to sending at once. (Set here, per
#: message: Celery deprecates a priority on the task itself.)
PRIORITIES = {"signatures.tasks.dispatch": 6}


def enqueue_on_commit(task, *args) -> None:
    """Send a task to the broker once the current transaction commits, never failing it."""
    transaction.on_commit(partial(enqueue, task, *args))


def enqueue(task, *args, **options) -> bool:
    if task.name in PRIORITIES:
        options.setdefault("priority", PRIORITIES[task.name])
    try:
        # No publish retries: a request must not hang while the broker is away.
        task.apply_async(args, retry=False, **options)
    except Exception as error:  # the broker is unreachable: the sweeper will catch up
        logger.warning("could not enqueue %s%r: %s", task.name, args, type(error).__name__)
        return False
    return True


def dispatch(signature_id: int) -> None:
    """Hand one signature's follow-up work to the workers, exactly once.

    Pending: the supporter's confirmation email. Counted: one delivery row per target (sent
    one by one, or gathered in the campaign's digest) and the supporter's receipt.
    """
    from ..tasks import deliver, send_confirmation, send_receipt

    with transaction.atomic():
        signature = (
            Signature.objects.select_for_update()
            .select_related("campaign")
            .filter(pk=signature_id, dispatched_at__isnull=True)
            .first()
        )
        if signature is None:
            return
        campaign = signature.campaign
        now = timezone.now()
        signature.email_due_at = None
        if signature.status == Signature.Status.PENDING:
            signature.email_due_at = now
            enqueue_on_commit(send_confirmation, signature.pk)
        elif signature.status == Signature.Status.COUNTED:
            existing = set(signature.deliveries.values_list("target_id", flat=True))
            deliveries = Delivery.objects.bulk_create(
                Delivery(signature=signature, target=target)
                for target in campaign.targets
                if target.pk not in existing
            )
            if not campaign.digest_minutes:
                for delivery in deliveries:
                    enqueue_on_commit(deliver, delivery.pk)
            if campaign.send_receipt:
                signature.email_due_at = now
                enqueue_on_commit(send_receipt, signature.pk)
            webhooks.announce([signature.pk])  # the CRM hears of each counted action
        signature.dispatched_at = now
        signature.save(update_fields=["dispatched_at", "email_due_at"])
        # Should PostgreSQL crash before flushing this, the row is simply dispatched again.
        commit_without_waiting_for_disk()


def sweep(now=None) -> tuple[int, int, int]:
    """Re-enqueue what a dead broker or a killed worker left behind.

    Returns how many signatures, deliveries and supporter emails were re-enqueued.
    """
    from ..tasks import deliver, send_confirmation, send_receipt
    from ..tasks import dispatch as dispatch_task

    now = now or timezone.now()
    cutoff = now - GRACE
    signatures = list(
        Signature.objects.filter(dispatched_at__isnull=True, created_at__lt=cutoff)
        .filter(status__in=[Signature.Status.PENDING, Signature.Status.COUNTED])
        .order_by("created_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for pk in signatures:
        if not enqueue(dispatch_task, pk):
            break
    deliveries = list(
        Delivery.objects.filter(state=Delivery.State.PENDING, due_at__lt=cutoff)
        .filter(signature__campaign__digest_minutes=0)
        .order_by("due_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    # Expect these attempts now, so the next sweep leaves them alone while in flight.
    Delivery.objects.filter(pk__in=deliveries).update(due_at=now)
    for pk in deliveries:
        if not enqueue(deliver, pk):
            break
    emails = list(
        Signature.objects.filter(email_due_at__lt=cutoff, dispatched_at__isnull=False)
        .order_by("email_due_at")
        .values_list("pk", "status")[:SWEEP_BATCH]
    )
    Signature.objects.filter(pk__in=[pk for pk, _ in emails]).update(email_due_at=now)
    for pk, status in emails:
        # Pending: the confirmation link is owed; otherwise the receipt (or, if the action
        # was rejected meanwhile, nothing: the task then clears the mark).
        task = send_confirmation if status == Signature.Status.PENDING else send_receipt
        if not enqueue(task, pk):
            break
    if signatures or deliveries or emails:
        logger.info(
            "sweep re-enqueued %s signatures, %s deliveries, %s supporter emails",
            len(signatures),
            len(deliveries),
            len(emails),
        )
    return len(signatures), len(deliveries), len(emails)
