"""Stop the broker for 60 seconds while 1,000 actions arrive: every action is accepted, and
all their emails arrive after the broker returns.

The broker is a private redis-server on a port of this suite (the shared one on 6379 is
never touched); gunicorn takes the actions over HTTP and a real worker delivers them.
"""

import time
import uuid

from signatures.models import Delivery, Signature

from .conftest import database_url
from .faults import (
    FAULT_TEST_MARKS,
    CeleryWorker,
    Gunicorn,
    app_env,
    copies_by_letter,
    post_actions,
    recover,
    sweep_outbox,
)

pytestmark = FAULT_TEST_MARKS

ACTIONS = 1000
OUTAGE_SECONDS = 60


def test_actions_taken_while_the_broker_is_down_are_all_delivered_after_it_returns(
    campaign, smtp_server, broker, tmp_path, fault_figures
):
    queue = f"clarion-faults-{uuid.uuid4().hex[:12]}"
    env = app_env(database_url(), broker.url(), queue=queue, smtp=smtp_server)
    web = Gunicorn(env, tmp_path / "web.log")
    worker = CeleryWorker(env, tmp_path / "worker.log", queue, pool="prefork", concurrency=2)
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
        returned = time.monotonic()

        # The worker reconnects by itself; beat's sweeper re-enqueues what never got through
        # (here at once, rather than within the minute).
        print("sweep:", sweep_outbox(env), flush=True)
        recover(env, letters=ACTIONS)
        delivered_in = time.monotonic() - returned
        print(f"all delivered {delivered_in:.0f} s after the broker returned")
        time.sleep(2)  # anything still in flight has arrived
    finally:
        worker.stop()
        web.stop()

    copies = copies_by_letter(smtp_server.messages)
    assert set(copies) == {(email, target) for email in emails}
    assert {len(sent) for sent in copies.values()} == {1}
    assert Delivery.objects.filter(state=Delivery.State.SENT).count() == ACTIONS
    fault_figures.append(
        (
            f"broker stopped for {OUTAGE_SECONDS} s while {ACTIONS:,} actions arrived",
            f"all {ACTIONS:,} accepted (302) within {accepted_in:.0f} s of the stop; all "
            f"{ACTIONS:,} letters delivered, one copy each, "
            f"{delivered_in:.0f} s after it returned",
        )
    )
