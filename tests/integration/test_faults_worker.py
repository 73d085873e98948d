"""Kill the worker with SIGKILL again and again while actions are delivered: afterwards
every action has produced exactly one email per target, none lost and none duplicated.

Real PostgreSQL, a real Redis broker (a private one: nothing here can disturb other runs),
gunicorn taking the actions over HTTP, and a Celery worker process that is killed at
arbitrary moments and restarted. What a killed worker had in hand is recovered the way
production recovers it: the outbox sweeper (beat, every minute) re-enqueues it.
"""

import os
import random
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from signatures.models import Delivery, Signature
from tests.factories import CampaignPageFactory, TargetFactory

from .conftest import database_url
from .faults import (
    CeleryWorker,
    Gunicorn,
    app_env,
    letters_by_delivery,
    post_actions,
    private_redis,
    sweep_outbox,
    wait_until,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    # Long fault runs are opt-in (`make faults`) so the suite stays within CI's budget.
    pytest.mark.skipif(
        os.environ.get("CLARION_LONG_FAULTS") != "1",
        reason="long fault run: set CLARION_LONG_FAULTS=1 (make faults); known failing (a duplicate when SIGKILL lands between the SMTP 250 and the commit; the backlog outlasts the recovery window on this 2-core machine) and ~9 minutes long",
    ),
]


@pytest.fixture
def broker(tmp_path):
    with private_redis(tmp_path) as redis:
        yield redis


ACTIONS = int(os.environ.get("CLARION_FAULT_ACTIONS", "2000"))
KILLS = 20
TARGETS = 2


def test_sigkill_the_worker_20_times_while_delivering_loses_and_duplicates_nothing(
    site, smtp_server, broker, tmp_path
):
    targets = [TargetFactory() for _ in range(TARGETS)]
    campaign = CampaignPageFactory(parent=site.root_page, targets=targets)
    queue = f"clarion-faults-{uuid.uuid4().hex[:12]}"
    env = app_env(database_url(), broker.url(), queue, smtp_server)
    web = Gunicorn(env, tmp_path / "web.log")
    worker = CeleryWorker(env, tmp_path / "worker.log", queue)
    expected = ACTIONS * TARGETS
    pause = random.Random(7)  # the kills land at different moments, the same ones each run
    kills = 0
    web.start()
    worker.start()
    try:
        emails = [f"supporter{n}@example.org" for n in range(ACTIONS)]
        with ThreadPoolExecutor(1) as background:
            posting = background.submit(post_actions, web.port, campaign.pk, emails)
            deadline = time.monotonic() + 600
            while kills < KILLS and time.monotonic() < deadline:
                # Kill only once this worker is delivering, at a different moment each time.
                before = len(smtp_server.messages)
                wait_until(lambda n=before: len(smtp_server.messages) > n, timeout=120)
                time.sleep(pause.uniform(0, 0.4))
                received = len(smtp_server.messages)
                if received >= expected:
                    break  # all delivered before the last kill: the test fails below
                worker.kill()
                kills += 1
                print(f"kill {kills}: {received} of {expected} letters received", flush=True)
                worker.start()
            statuses = posting.result()
        assert statuses == {302: ACTIONS}
        assert kills == KILLS  # each while deliveries were under way

        # What the killed workers held is re-enqueued by the sweeper, as beat would do.
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if Delivery.objects.filter(state=Delivery.State.SENT).count() == expected:
                break
            print("sweep:", sweep_outbox(env), flush=True)
            time.sleep(5)
        time.sleep(3)  # anything still in flight has arrived
    finally:
        worker.stop()
        web.stop()

    letters = letters_by_delivery(smtp_server.messages)
    wanted = {(email, target.email) for email in emails for target in targets}
    lost = wanted - set(letters)
    duplicated = {key: n for key, n in letters.items() if n > 1}
    assert Signature.objects.count() == ACTIONS
    assert (len(lost), len(duplicated)) == (0, 0), (
        f"{len(smtp_server.messages)} messages for {expected} letters: {len(lost)} lost, "
        f"{len(duplicated)} duplicated ({sum(duplicated.values()) - len(duplicated)} extra)"
    )
    assert Delivery.objects.filter(state=Delivery.State.SENT).count() == expected
