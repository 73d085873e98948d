"""With the Redis broker and a real worker too: no email and no webhook before the response."""

from email.utils import parseaddr

import pytest
from django.urls import reverse

from signatures.models import WebhookDelivery, WebhookEndpoint
from signatures.services import webhooks
from tests.factories import CampaignPageFactory
from tests.signatures.test_after_response import DETAILS, post_over_http
from tests.waiting import wait_until
from tests.webhooks import Receiver

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_the_worker_gets_the_follow_up_work_only_after_the_response(
    live_server, site, smtp_server, local_receiver_allowed, celery_worker
):
    campaign = CampaignPageFactory(parent=site.root_page, send_receipt=True)
    with Receiver() as receiver:
        webhooks.endpoints_changed()
        WebhookEndpoint.objects.create(site=site, name="CRM", url=receiver.url)
        path = reverse("signatures:sign", args=[campaign.pk])

        with smtp_server.held(), receiver.held():
            response = post_over_http(live_server.url, path, DETAILS)

            assert response.status == 302  # answered while no email and no POST could go

        messages = smtp_server.wait_for(2, timeout=60)
        assert sorted(parseaddr(message["To"])[1] for message in messages) == sorted(
            [campaign.targets[0].email, "ana@example.org"]
        ), celery_worker.log.read_text()[-3000:]
        assert wait_until(
            lambda: WebhookDelivery.objects.filter(state="delivered").exists(), timeout=60
        ), celery_worker.log.read_text()[-3000:]
        assert len(receiver.wait_for(1)) == 1
