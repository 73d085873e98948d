"""Stop the broker for 60 seconds while 1,000 actions arrive: every action is accepted, and
all their emails arrive after the broker returns.

The broker is a private redis-server on a port of this suite (the shared one on 6379 is
never touched); gunicorn takes the actions over HTTP and a real worker delivers them.
"""

import os
import time
import uuid

import pytest

from signatures.models import Delivery, Signature

from .conftest import database_url
from .faults import (
    CeleryWorker,
    Gunicorn,
    app_env,
    letters_by_delivery,
    post_actions,
    private_redis,
    sweep_outbox,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    # Long fault runs are opt-in (`make faults`) so the suite stays within CI's budget.
    pytest.mark.skipif(
        os.environ.get("CLARION_LONG_FAULTS") != "1",
        reason="long fault run: set CLARION_LONG_FAULTS=1 (make faults); a 60-second broker outage plus recovery: minutes long, never yet completed on this machine",
    ),
]


@pytest.fixture
def broker(tmp_path):
    with private_redis(tmp_path) as redis:
        yield redis


ACTIONS = 1000
OUTAGE_SECONDS = 60


def test_actions_taken_while_the_broker_is_down_are_all_delivered_after_it_returns(
    campaign, smtp_server, broker, tmp_path
):
    queue = f"clarion-faults-{uuid.uuid4().hex[:12]}"
    env = app_env(database_url(), broker.url(), queue, smtp_server)
    web = Gunicorn(env, tmp_path / "web.log")
    worker = CeleryWorker(env, tmp_path / "worker.log", queue)
    target = campaign.targets[0].email
    emails = [f"supporter{n}@example.org" for n in range(ACTIONS)]
    web.start()
    worker.start()
    try:
        broker.stop()
        stopped = time.monotonic()
        statuses = post_actions(web.port, campaign.pk, emails)
        accepted_in = time.monotonic() - stopped

        # Every action was accepted and recorded while the broker was away; none was sent.
        assert statuses == {302: ACTIONS}
        assert accepted_in < OUTAGE_SECONDS
        assert Signature.objects.count() == ACTIONS
        assert smtp_server.messages == []

        time.sleep(max(0, OUTAGE_SECONDS - (time.monotonic() - stopped)))
        assert smtp_server.messages == []
        broker.start()  # same port, empty: whatever was queued before is gone

        # The worker reconnects by itself; beat's sweeper re-enqueues what never got through.
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if Delivery.objects.filter(state=Delivery.State.SENT).count() == ACTIONS:
                break
            sweep_outbox(env)
            time.sleep(5)
        time.sleep(2)
    finally:
        worker.stop()
        web.stop()

    letters = letters_by_delivery(smtp_server.messages)
    assert set(letters) == {(email, target) for email in emails}
    assert set(letters.values()) == {1}
    assert Delivery.objects.filter(state=Delivery.State.SENT).count() == ACTIONS
