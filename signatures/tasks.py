"""Celery tasks: thin wrappers that take primary keys and call a service.

Each task object is named `<service>_task` and registered under its name in task_names.py,
which is how services enqueue it. Every task may run twice (acks_late +
reject_on_worker_lost redeliver a message whose worker died; the sweeper re-enqueues what
looks lost): the services make that harmless.
"""

import logging
from functools import partial

from celery import shared_task
from django.conf import settings

from insights import page_views
from signatures import task_names

from .services import (
    confirmation,
    delivery,
    digest,
    dispatch,
    export,
    mailer,
    milestones,
    privacy,
    updates,
    webhooks,
)

logger = logging.getLogger(__name__)

MAX_RETRIES = 8
RELIABLE = {"acks_late": True, "reject_on_worker_lost": True}


@shared_task(name=task_names.EXPORT_SIGNATURES, **RELIABLE)
def export_signatures_task(job_id: int) -> None:
    """Write a background export's file for its owner to download."""
    export.write_export(job_id)


@shared_task(name=task_names.APPLY_RETENTION)
def apply_retention_task() -> None:
    """Anonymise signatures past their retention period; drop expired export files."""
    privacy.anonymise_expired()
    export.purge_expired()


@shared_task(name=task_names.FLUSH_PAGE_VIEWS)
def flush_page_views_task() -> None:
    """Add the page views counted in Redis since the last flush to the daily rows."""
    page_views.flush()


def _backoff(retries: int) -> int:
    return min(5 * 2**retries, 600)


def _retry_or_give_up(task, error, *, countdown, note_due, give_up) -> None:
    """After a failed attempt: retry in `countdown` seconds, or give up once retries are spent.

    `note_due` records on the row when the retry is due, so that the outbox sweeper leaves
    it alone until then; `give_up` takes the reason.
    """
    if task.request.retries >= task.max_retries:
        give_up(f"Gave up after {task.request.retries + 1} attempts: {error}")
        return
    note_due(countdown)
    raise task.retry(exc=error, countdown=countdown) from error


@shared_task(name=task_names.DISPATCH_SIGNATURE, **RELIABLE)
def dispatch_signature_task(signature_id: int) -> None:
    dispatch.dispatch_signature(signature_id)


@shared_task(bind=True, name=task_names.DELIVER_LETTER, max_retries=MAX_RETRIES, **RELIABLE)
def deliver_letter_task(self, delivery_id: int) -> None:
    try:
        wait = delivery.deliver_letter(delivery_id)
    except OSError as error:  # smtplib's errors and network failures
        if mailer.is_permanent(error):
            delivery.give_up_letter(delivery_id, f"Refused by the mail server: {error}")
        elif not self.request.is_eager:  # in-process (no broker), it stays pending instead
            _retry_or_give_up(
                self,
                error,
                countdown=_backoff(self.request.retries),
                note_due=partial(delivery.retry_letter_later, delivery_id),
                give_up=partial(delivery.give_up_letter, delivery_id),
            )
        return
    if wait and not self.request.is_eager:
        # The target's throttle is full: try again in the next minute. Not a failure, so a
        # new message rather than a retry that would use up the retry budget.
        deliver_letter_task.apply_async((delivery_id,), countdown=wait)


def _supporter_email_task(service, name: str):
    @shared_task(bind=True, max_retries=MAX_RETRIES, name=name, **RELIABLE)
    def task(self, signature_id: int) -> None:
        try:
            service(signature_id)
        except OSError as error:
            if self.request.is_eager:
                return  # in-process (no broker): stays owed, for the sweeper
            give_up = partial(confirmation.give_up_supporter_email, signature_id)
            if mailer.is_permanent(error):
                give_up(f"Refused by the mail server: {error}")
                return
            _retry_or_give_up(
                self,
                error,
                countdown=_backoff(self.request.retries),
                note_due=partial(confirmation.retry_supporter_email_later, signature_id),
                give_up=give_up,
            )

    return task


send_confirmation_task = _supporter_email_task(
    confirmation.send_confirmation, task_names.SEND_CONFIRMATION
)
send_receipt_task = _supporter_email_task(confirmation.send_receipt, task_names.SEND_RECEIPT)


@shared_task(bind=True, name=task_names.SEND_MILESTONE_MESSAGE, **RELIABLE)
def send_milestone_message_task(self, message_id: int) -> None:
    try:
        milestones.send_message(message_id)
    except OSError as error:  # stays owed: retried by the sweeper after a back-off
        milestones.note_failure(message_id, error, _backoff(self.request.retries))


@shared_task(name=task_names.SEND_MILESTONE_NOTICE, **RELIABLE)
def send_milestone_notice_task(crossing_id: int) -> None:
    try:
        milestones.send_notice(crossing_id)
    except OSError as error:  # stays owed: the sweeper sends it again
        logger.warning("milestone notice %s failed: %s", crossing_id, type(error).__name__)


@shared_task(name=task_names.QUEUE_UPDATE, **RELIABLE)
def queue_update_task(mailing_id: int) -> None:
    """Write a published update's recipients and start its senders."""
    updates.queue_recipients(mailing_id)


@shared_task(name=task_names.SEND_UPDATE_BATCH, **RELIABLE)
def send_update_batch_task(mailing_id: int) -> None:
    """Send the next batch of an update's emails; the service enqueues the next batch."""
    updates.send_batch(mailing_id)


@shared_task(name=task_names.SWEEP_OUTBOX)
def sweep_outbox_task() -> None:
    dispatch.sweep_outbox()


@shared_task(name=task_names.SEND_DIGESTS)
def send_digests_task() -> None:
    digest.send_digests()


@shared_task(bind=True, name=task_names.DELIVER_WEBHOOK, max_retries=MAX_RETRIES, **RELIABLE)
def deliver_webhook_task(self, delivery_id: int) -> None:
    """POST one counted action to a CRM endpoint; back off and retry while it fails."""
    try:
        webhooks.deliver_webhook(delivery_id)
    except webhooks.WebhookFailed as error:
        if self.request.is_eager:
            return  # in-process (no broker): never hold a request up retrying
        _retry_or_give_up(
            self,
            error,
            countdown=min(settings.CLARION_WEBHOOK_RETRY_SECONDS * 2**self.request.retries, 3600),
            note_due=partial(webhooks.retry_webhook_later, delivery_id),
            give_up=partial(webhooks.give_up_webhook, delivery_id),
        )


@shared_task(name=task_names.SWEEP_WEBHOOKS)
def sweep_webhooks_task() -> int:
    return webhooks.sweep_webhooks()
