"""The outbox with a real broker, worker, SMTP server and PostgreSQL."""

import threading
import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from cms.celery import app as celery_app
from signatures.models import Delivery, Signature
from signatures.services import dispatch, outbox, signing
from signatures.tasks import deliver_letter_task
from tests.factories import SUPPORTER as DETAILS
from tests.waiting import wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


#: Port 9 (discard): no broker listens there.
DEAD_BROKER = "redis://127.0.0.1:9/0"


def _reset_producers():
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def broker_down():
    """Point this process's producer at a port where no broker listens.

    Celery reads the CELERY_BROKER_URL environment variable before its own setting, so
    both change (changing the setting alone kept publishing to the live broker whenever
    the variable was set, as in CI); the producer pool goes so no live connection is reused.
    """
    working = celery_app.conf.broker_url
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CELERY_BROKER_URL", DEAD_BROKER)
        celery_app.conf.broker_url = DEAD_BROKER
        _reset_producers()
        try:
            assert celery_app.conf.broker_write_url == DEAD_BROKER
            yield
        finally:
            celery_app.conf.broker_url = working
            _reset_producers()


def test_an_action_taken_while_the_broker_is_down_reaches_its_target_once(
    client, campaign, smtp_server, celery_worker
):
    with broker_down():
        response = client.post(reverse("signatures:sign", args=[campaign.pk]), DETAILS)

    assert response.status_code == 302  # the supporter's action is accepted all the same
    signature = Signature.objects.get()
    assert signature.dispatched_at is None  # the request publishes nothing: the row waits

    # The worker's dispatcher finds the waiting row on its own (woken, or within POLL).
    [message] = smtp_server.wait_for(1, timeout=60)
    assert message["To"].addresses[0].addr_spec == campaign.targets[0].email
    assert wait_until(lambda: Delivery.objects.get().state == Delivery.State.SENT)

    # The sweeper, beat's last resort, then finds nothing left to resend.
    assert dispatch.sweep_outbox(now=timezone.now() + timedelta(minutes=3)) == (0, 0, 0)
    time.sleep(1)
    assert len(smtp_server.messages) == 1


def test_a_delivery_run_twice_at_once_is_sent_once(transactional_db, campaign, smtp_server):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(outbox, "enqueue", lambda *args, **kwargs: True)  # run by hand
        signature, _ = signing.record_signature(campaign, DETAILS)
        dispatch.dispatch_signature(signature.pk)
    delivery = Delivery.objects.get()
    barrier = threading.Barrier(2)

    def run():
        barrier.wait(10)
        try:
            deliver_letter_task.apply(args=[delivery.pk])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert len(smtp_server.wait_for(1)) == 1
    time.sleep(0.5)
    assert len(smtp_server.messages) == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (Delivery.State.SENT, 1)
