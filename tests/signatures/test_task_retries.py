"""What the sending tasks do after a failed attempt: retry later, noting when, or give up.

Each task runs here as a worker would run its nth attempt (`push_request`), against a mail
server or CRM that nothing answers for. A retry outside a worker re-raises the error,
which is how Celery reports it.
"""

from contextlib import contextmanager

import pytest
from django.utils import timezone

from signatures.models import Delivery, Signature, WebhookDelivery, WebhookEndpoint
from signatures.services import confirmation
from signatures.services.webhooks import WebhookFailed
from signatures.tasks import (
    MAX_RETRIES,
    deliver_letter_task,
    deliver_webhook_task,
    send_confirmation_task,
)
from tests.factories import SUPPORTER as DETAILS
from tests.factories import CampaignPageFactory, TargetFactory

pytestmark = pytest.mark.django_db

NOTHING_LISTENS = ("127.0.0.1", 9)


@pytest.fixture
def mail_server_down(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = NOTHING_LISTENS
    settings.EMAIL_TIMEOUT = 2


@contextmanager
def attempt(task, retries):
    """Run `task` as a worker runs its attempt number `retries + 1`."""
    task.push_request(retries=retries, is_eager=False)
    try:
        yield
    finally:
        task.pop_request()


def due_in(moment) -> float:
    return (moment - timezone.now()).total_seconds()


@pytest.fixture
def delivery(site):
    target = TargetFactory(email="minister@example.org")
    campaign = CampaignPageFactory(parent=site.root_page, targets=[target])
    signature = Signature.objects.create(campaign=campaign, **DETAILS)
    return Delivery.objects.create(signature=signature, target=target)


def test_a_failed_delivery_is_retried_later_and_the_sweeper_told_when(mail_server_down, delivery):
    with attempt(deliver_letter_task, retries=2), pytest.raises(ConnectionRefusedError):
        deliver_letter_task(delivery.pk)

    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.PENDING
    assert 15 < due_in(delivery.due_at) <= 20  # the third attempt waits 5 × 2² s


def test_a_delivery_whose_retries_are_spent_fails_visibly(mail_server_down, delivery):
    with attempt(deliver_letter_task, retries=MAX_RETRIES):
        deliver_letter_task(delivery.pk)  # no retry: nothing raised

    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.FAILED
    assert delivery.last_error.startswith(f"Gave up after {MAX_RETRIES + 1} attempts: ")
    assert "Connection refused" in delivery.last_error


@pytest.fixture
def owed_confirmation(site):
    campaign = CampaignPageFactory(parent=site.root_page, confirmation_required=True)
    return Signature.objects.create(
        campaign=campaign, status=Signature.Status.PENDING, email_due_at=timezone.now(), **DETAILS
    )


def test_a_failed_confirmation_email_is_retried_later(mail_server_down, owed_confirmation):
    with attempt(send_confirmation_task, retries=0), pytest.raises(ConnectionRefusedError):
        send_confirmation_task(owed_confirmation.pk)

    owed_confirmation.refresh_from_db()
    assert 0 < due_in(owed_confirmation.email_due_at) <= 5


def test_a_confirmation_email_whose_retries_are_spent_is_no_longer_owed(
    mail_server_down, owed_confirmation
):
    with attempt(send_confirmation_task, retries=MAX_RETRIES):
        send_confirmation_task(owed_confirmation.pk)

    owed_confirmation.refresh_from_db()
    assert owed_confirmation.email_due_at is None
    assert owed_confirmation.status == Signature.Status.PENDING


@pytest.fixture
def webhook_to_nowhere(campaign, settings):
    settings.CLARION_WEBHOOK_RETRY_SECONDS = 30
    endpoint = WebhookEndpoint.objects.create(
        site=campaign.get_site(), name="Down", url="http://127.0.0.1:9/nothing-listens-here"
    )
    signature = Signature.objects.create(campaign=campaign, email="a@example.org")
    return WebhookDelivery.objects.create(endpoint=endpoint, signature=signature)


def test_a_failed_webhook_post_is_retried_later(webhook_to_nowhere):
    with attempt(deliver_webhook_task, retries=1), pytest.raises(WebhookFailed):
        deliver_webhook_task(webhook_to_nowhere.pk)

    webhook_to_nowhere.refresh_from_db()
    assert webhook_to_nowhere.state == WebhookDelivery.State.PENDING
    assert 55 < due_in(webhook_to_nowhere.due_at) <= 60  # 30 s × 2


def test_a_webhook_post_whose_retries_are_spent_fails_visibly(webhook_to_nowhere):
    with attempt(deliver_webhook_task, retries=MAX_RETRIES):
        deliver_webhook_task(webhook_to_nowhere.pk)

    webhook_to_nowhere.refresh_from_db()
    assert webhook_to_nowhere.state == WebhookDelivery.State.FAILED
    assert webhook_to_nowhere.last_error.startswith(f"Gave up after {MAX_RETRIES + 1} attempts")


def test_giving_up_on_a_supporter_email_logs_no_address(owed_confirmation, caplog):
    refusal = "Refused by the mail server: {'ana@example.org': (550, b'5.1.1 no such user')}"

    confirmation.give_up_supporter_email(owed_confirmation.pk, refusal)

    assert "Refused by the mail server" in caplog.text
    assert "ana@example.org" not in caplog.text
