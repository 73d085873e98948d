"""Celery tasks: thin wrappers that take primary keys and call a service.

Every task may run twice (acks_late + reject_on_worker_lost redeliver a message whose
worker died; the sweeper re-enqueues what looks lost): the services make that harmless.
"""

import smtplib

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


def _is_permanent(error: Exception) -> bool:
    """A 5xx answer (or refused recipients) will not change by trying again."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return True
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def _backoff(retries: int) -> int:
    return min(5 * 2**retries, 600)


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
        elif self.request.is_eager:
            pass  # in-process (no broker): stay pending rather than block a request retrying
        elif self.request.retries >= self.max_retries:
            services.fail(
                delivery_id, f"Gave up after {self.request.retries + 1} attempts: {error}"
            )
        else:
            countdown = _backoff(self.request.retries)
            services.retry_later(delivery_id, countdown)
            raise self.retry(exc=error, countdown=countdown) from error
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
            if _is_permanent(error) or self.request.retries >= self.max_retries:
                services.give_up_supporter_email(signature_id, error)
                return
            countdown = _backoff(self.request.retries)
            services.supporter_email_later(signature_id, countdown)
            raise self.retry(exc=error, countdown=countdown) from error

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
        if self.request.retries >= self.max_retries:
            webhooks.give_up(
                delivery_id, f"Gave up after {self.request.retries + 1} attempts: {error}"
            )
            return
        countdown = min(settings.CLARION_WEBHOOK_RETRY_SECONDS * 2**self.request.retries, 3600)
        webhooks.retry_later(delivery_id, countdown)
        raise self.retry(exc=error, countdown=countdown) from error


@shared_task
def sweep_webhooks() -> int:
    from .services import webhooks

    return webhooks.sweep()
