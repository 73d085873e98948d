"""Handing each signature's follow-up work to the workers, and sweeping up what was lost.

`dispatch_signature` runs once per signature that is new, confirmed or approved again: it
creates the letters' delivery rows and enqueues them, the supporter's email and the CRM's
webhooks (see outbox.py for why a row is its own outbox entry). `sweep_outbox`, every
minute, enqueues again what a dead broker or a killed worker left behind.
"""

import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cms.base import surge
from signatures.services import milestones, representative_targets, updates, webhooks

from .. import task_names
from ..models import Delivery, Signature
from .delivery import commit_without_waiting_for_disk
from .outbox import BATCH, GRACE, enqueue_on_commit, resend

logger = logging.getLogger(__name__)


def dispatch_signature(signature_id: int) -> None:
    """Hand one signature's follow-up work to the workers, exactly once.

    Pending: the supporter's confirmation email. Counted: one delivery row per target (sent
    one by one, or gathered in the campaign's digest) and the supporter's receipt. The
    targets are the campaign's own and, when it writes to them, the supporter's
    representatives found from their postal code now. Should there be nobody to write to
    yet (NobodyToWriteTo), nothing is dispatched and the row is marked with the reason
    for staff; it is tried again like any row whose dispatch failed.
    """
    try:
        _dispatch(signature_id)
    except representative_targets.NobodyToWriteTo as nobody:
        Signature.objects.filter(pk=signature_id, dispatched_at__isnull=True).update(
            waits_for_representative=nobody.reason
        )
        raise


def _dispatch(signature_id: int) -> None:
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
            enqueue_on_commit(task_names.SEND_CONFIRMATION, signature.pk)
        elif signature.status == Signature.Status.COUNTED and not signature.anonymised_at:
            existing = dict(signature.deliveries.values_list("target_id", "state"))
            targets = campaign.targets
            if campaign.writes_to_representatives:
                # Raises LookupUnavailable while the provider is down: this rolls back and
                # the row is dispatched again later (dispatch_waiting, sweep_outbox).
                # So does NobodyToWriteTo, rather than drop a letter (logged by the caller).
                targets += representative_targets.targets_for(
                    campaign, signature.postal_code, signature.district
                )
            deliveries = Delivery.objects.bulk_create(
                Delivery(signature=signature, target=target)
                for target in dict.fromkeys(targets)  # a fixed target may also represent
                if target.pk not in existing
            )
            if Delivery.State.WITHHELD in existing.values():  # approved again
                deliveries += _send_withheld_letters(signature, now)
            if not campaign.digest_minutes:
                for delivery in deliveries:
                    enqueue_on_commit(task_names.DELIVER_LETTER, delivery.pk)
            if campaign.send_receipt and not signature.receipt_sent_at:
                signature.email_due_at = now  # owed: in a surge, the sweeper sends it after
                if not surge.active():
                    enqueue_on_commit(task_names.SEND_RECEIPT, signature.pk)
            webhooks.announce([signature.pk])  # the CRM hears of each counted action
            milestones.check(campaign)  # this action may be the one that reaches a milestone
        signature.dispatched_at, signature.dispatch_due_at = now, None
        signature.waits_for_representative = ""
        signature.save(
            update_fields=[
                "dispatched_at",
                "dispatch_due_at",
                "email_due_at",
                "waits_for_representative",
            ]
        )
        # Should PostgreSQL crash before flushing this, the row is simply dispatched again.
        commit_without_waiting_for_disk()


def dispatch_waiting(limit: int = BATCH) -> int:
    """Dispatch the oldest new signatures no worker has been handed yet; how many.

    A row whose dispatch fails waits GRACE before the next try (its `dispatch_due_at`), and
    the sweeper's after that, so one bad row never holds up the others nor makes the
    dispatcher spin. A repeat of a pending action is due at once (it owes a fresh link).
    """
    now = timezone.now()
    waiting = Signature.objects.filter(
        Q(dispatch_due_at__isnull=True) | Q(dispatch_due_at__lte=now),
        dispatched_at__isnull=True,
        status__in=[Signature.Status.PENDING, Signature.Status.COUNTED],
    )
    ids = list(waiting.order_by("created_at").values_list("pk", flat=True)[:limit])
    for pk in ids:
        try:
            dispatch_signature(pk)
        except Exception:
            logger.exception("could not dispatch signature %s; the sweeper will", pk)
            Signature.objects.filter(pk=pk).update(dispatch_due_at=now + GRACE)
    return len(ids)


def _send_withheld_letters(signature, now) -> list[Delivery]:
    """The letters a moderator withheld from this signature, made pending again."""
    withheld = list(signature.deliveries.filter(state=Delivery.State.WITHHELD))
    Delivery.objects.filter(pk__in=[delivery.pk for delivery in withheld]).update(
        state=Delivery.State.PENDING, last_error="", due_at=now
    )
    return withheld


def sweep_outbox(now=None) -> tuple[int, int, int]:
    """Re-enqueue what a dead broker or a killed worker left behind.

    Returns how many signatures, deliveries and supporter emails were re-enqueued.
    """
    now = now or timezone.now()
    overdue = now - GRACE
    undispatched = Signature.objects.filter(
        Q(dispatch_due_at__lt=overdue) | Q(dispatch_due_at__isnull=True, created_at__lt=overdue),
        dispatched_at__isnull=True,
        status__in=[Signature.Status.PENDING, Signature.Status.COUNTED],
    )
    pending = Delivery.objects.filter(
        state=Delivery.State.PENDING, due_at__lt=overdue, signature__campaign__digest_minutes=0
    )
    # The supporter's email owed: the confirmation link while pending, else the receipt (or,
    # if the action was rejected meanwhile, nothing: the task then clears the mark).
    owed = Signature.objects.filter(email_due_at__lt=overdue, dispatched_at__isnull=False)
    owed_confirmations = owed.filter(status=Signature.Status.PENDING)
    owed_receipts = owed.exclude(status=Signature.Status.PENDING)
    if surge.active():  # receipts wait for the surge to pass; confirmations never do
        owed_receipts = owed_receipts.none()

    swept = (
        resend(
            undispatched, task_names.DISPATCH_SIGNATURE, "dispatch_due_at", now, order="created_at"
        ),
        resend(pending, task_names.DELIVER_LETTER, "due_at", now),
        resend(owed_confirmations, task_names.SEND_CONFIRMATION, "email_due_at", now)
        + resend(owed_receipts, task_names.SEND_RECEIPT, "email_due_at", now),
    )
    if any(swept):
        logger.info("sweep re-enqueued %s signatures, %s deliveries, %s supporter emails", *swept)
    if any(owed := milestones.sweep(now)):
        logger.info("sweep re-enqueued %s milestone messages, %s staff notices", *owed)
    if any(owed := updates.sweep(now)):
        logger.info("sweep re-enqueued %s updates to queue, %s updates to send", *owed)
    return swept
