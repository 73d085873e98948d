import pytest
from django.urls import reverse

from signatures.models import Delivery
from tests.factories import SUPPORTER
from tests.waiting import wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def test_a_real_worker_delivers_the_email_through_redis(
    client, campaign, smtp_server, celery_worker
):
    response = client.post(
        reverse("signatures:sign", args=[campaign.pk]),
        SUPPORTER,
    )
    assert response.status_code == 302

    [message] = smtp_server.wait_for(1, timeout=60)
    assert message["Reply-To"].addresses[0].addr_spec == "ana@example.org"
    assert message["To"].addresses[0].addr_spec == campaign.targets[0].email
    assert wait_until(lambda: Delivery.objects.get().state == Delivery.State.SENT)
