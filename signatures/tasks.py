"""Celery tasks: thin wrappers that take primary keys and call a service.

Every task may run twice (acks_late + reject_on_worker_lost redeliver a message whose
worker died; the sweeper re-enqueues what looks lost): the services make that harmless.
"""

import smtplib
from functools import partial

from celery import shared_task

from . import services

MAX_RETRIES = 8
RELIABLE = {"acks_late": True, "reject_on_worker_lost": True}


@shared_task(acks_late=True, reject_on_worker_lost=True)
def export_signatures(job_id: int) -> None:
    """Write a background export's file for its owner to download."""
    from .services import export

    export.run_job(job_id)


@shared_task
def apply_retention() -> None:
    """Anonymise signatures past their retention period; drop expired export files."""
    from .services import export, privacy

    privacy.anonymise_expired()
    export.purge_expired()


@shared_task
def flush_page_views() -> None:
    """Add the page views counted in Redis since the last flush to the daily rows."""
    from . import page_views

    page_views.flush()


def _is_permanent(error: Exception) -> bool:
    """A 5xx answer (or refused recipients) will not change by trying again."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return True
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


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


@shared_task(**RELIABLE)
def dispatch(signature_id: int) -> None:
    services.dispatch(signature_id)


@shared_task(bind=True, max_retries=MAX_RETRIES, **RELIABLE)
def deliver(self, delivery_id: int) -> None:
    try:
        wait = services.deliver(delivery_id)
    except OSError as error:  # smtplib's errors and network failures
        if _is_permanent(error):
            services.fail(delivery_id, f"Refused by the mail server: {error}")
        elif not self.request.is_eager:  # in-process (no broker), it stays pending instead
            _retry_or_give_up(
                self,
                error,
                countdown=_backoff(self.request.retries),
                note_due=partial(services.retry_later, delivery_id),
                give_up=partial(services.fail, delivery_id),
            )
        return
    if wait and not self.request.is_eager:
        # The target's throttle is full: try again in the next minute. Not a failure, so a
        # new message rather than a retry that would use up the retry budget.
        deliver.apply_async((delivery_id,), countdown=wait)


def _supporter_email_task(service):
    @shared_task(
        bind=True, max_retries=MAX_RETRIES, name=f"{__name__}.{service.__name__}", **RELIABLE
    )
    def task(self, signature_id: int) -> None:
        try:
            service(signature_id)
        except OSError as error:
            if self.request.is_eager:
                return  # in-process (no broker): stays owed, for the sweeper
            give_up = partial(services.give_up_supporter_email, signature_id)
            if _is_permanent(error):
                give_up(f"Refused by the mail server: {error}")
                return
            _retry_or_give_up(
                self,
                error,
                countdown=_backoff(self.request.retries),
                note_due=partial(services.supporter_email_later, signature_id),
                give_up=give_up,
            )

    return task


send_confirmation = _supporter_email_task(services.send_confirmation)
send_receipt = _supporter_email_task(services.send_receipt)


@shared_task
def sweep_outbox() -> None:
    services.sweep()


@shared_task
def send_digests() -> None:
    services.send_digests()


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES)
def deliver_webhook(self, delivery_id: int) -> None:
    """POST one counted action to a CRM endpoint; back off and retry while it fails."""
    from django.conf import settings

    from .services import webhooks

    try:
        webhooks.deliver(delivery_id)
    except webhooks.WebhookFailed as error:
        if self.request.is_eager:
            return  # in-process (no broker): never hold a request up retrying
        _retry_or_give_up(
            self,
            error,
            countdown=min(settings.CLARION_WEBHOOK_RETRY_SECONDS * 2**self.request.retries, 3600),
            note_due=partial(webhooks.retry_later, delivery_id),
            give_up=partial(webhooks.give_up, delivery_id),
        )


@shared_task
def sweep_webhooks() -> int:
    from .services import webhooks

    return webhooks.sweep()
