"""A real Celery worker, through Redis, retries a failing CRM until it answers."""

import pytest

from signatures.models import WebhookDelivery, WebhookEndpoint
from tests.signatures.test_webhooks import DETAILS, verify
from tests.waiting import wait_until
from tests.webhooks import Receiver

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def quick_retries(monkeypatch):
    """The worker's first retry after 1 s (then 2 s …) instead of 30 s. Requested before
    celery_worker, so the worker process starts with it."""
    monkeypatch.setenv("WEBHOOK_RETRY_SECONDS", "1")


def test_the_worker_retries_a_failing_crm_and_logs_each_attempt(
    quick_retries, local_receiver_allowed, client, site, campaign, celery_worker
):
    with Receiver(statuses=[500, 503]) as receiver:
        endpoint = WebhookEndpoint.objects.create(site=site, name="CRM", url=receiver.url)
        response = client.post(
            f"/api/v3/campaigns/{campaign.pk}/signatures/", DETAILS, content_type="application/json"
        )
        assert response.status_code == 202  # answered at once, whatever the CRM does

        assert wait_until(
            lambda: WebhookDelivery.objects.filter(state="delivered").exists(), timeout=60
        ), celery_worker.log.read_text()[-3000:]

    log = WebhookDelivery.objects.get()
    assert (log.attempts, log.response_status, log.last_error) == (3, 200, "")
    assert len(receiver.requests) == 3
    for headers, body in receiver.requests:
        assert verify(endpoint.secret, headers, body)
        assert {name.lower(): value for name, value in headers.items()}["webhook-id"] == str(log.pk)
