"""A representative campaign's letter reaches the supporter's representative through a real
Celery worker (Redis broker, the outbox dispatcher) and a real SMTP server."""

import time

import pytest
from django.urls import reverse

from signatures.models import Delivery
from tests.factories import SUPPORTER, DirectoryFactory, representative, representative_campaign
from tests.waiting import wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def test_a_real_worker_delivers_the_letter_to_the_supporter_s_representative(
    client, site, smtp_server, celery_worker
):
    directory = DirectoryFactory(name="House of Commons")
    representative(directory, "Bea Ottawa", ["K1A"], salutation="Ms", email="bea@parl.example.ca")
    representative(directory, "Cy Toronto", ["M5V"], salutation="Mr", email="cy@parl.example.ca")
    campaign = representative_campaign(site.root_page, directory)

    response = client.post(
        reverse("signatures:sign", args=[campaign.pk]),
        SUPPORTER | {"postal_code": "K1A 0A6"},
    )
    assert response.status_code == 200
    assert "Bea Ottawa" in response.content.decode()

    [message] = smtp_server.wait_for(1, timeout=60)
    assert message["To"].addresses[0].addr_spec == "bea@parl.example.ca"
    assert message["Reply-To"].addresses[0].addr_spec == "ana@example.org"
    assert message.get_content().startswith("Dear Ms Bea Ottawa,")
    assert wait_until(lambda: Delivery.objects.get().state == Delivery.State.SENT)
    time.sleep(1)
    assert len(smtp_server.wait_for(1, timeout=1)) == 1  # once, and only to her
