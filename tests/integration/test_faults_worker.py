"""Kill the worker with SIGKILL again and again while actions are delivered: afterwards
every action has produced exactly one email to each target, none lost, none duplicated.

Real PostgreSQL, a real Redis broker (a private one: nothing here can disturb other runs),
gunicorn taking the actions over HTTP, and a Celery prefork worker whose main process is
killed at arbitrary moments and restarted, as `kill -9 <worker pid>` or a crashed host
would. What a killed worker had in hand is recovered the way production recovers it: the
outbox sweeper (beat, every minute) re-enqueues it.

The race that used to send a letter twice: the pool process was killed (by the kernel,
when its worker died) after the mail server's 250 but before our commit of 'sent'. It now
finishes that send first (signatures/services/send_guard.py); the second test makes the race
certain by holding the 250 back while the worker is killed.
"""

import os
import random
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from bench.servers import children
from signatures.models import Delivery, Signature
from tests.factories import CampaignPageFactory, TargetFactory

from .conftest import database_url
from .faults import (
    FAULT_TEST_MARKS,
    CeleryWorker,
    Gunicorn,
    app_env,
    copies_by_letter,
    mail_after,
    post_actions,
    recover,
    resends_explained,
    sweep_outbox,
    wait_until,
)

pytestmark = FAULT_TEST_MARKS

ACTIONS = int(os.environ.get("CLARION_FAULT_ACTIONS", "2000"))
KILLS = 20
TARGETS = 2
CONCURRENCY = 2


def test_sigkill_the_worker_20_times_while_delivering_loses_and_duplicates_nothing(
    site, smtp_server, broker, tmp_path, fault_figures
):
    targets = [TargetFactory() for _ in range(TARGETS)]
    campaign = CampaignPageFactory(parent=site.root_page, targets=targets)
    queue = f"clarion-faults-{uuid.uuid4().hex[:12]}"
    env = app_env(database_url(), broker.url(), queue=queue, smtp=smtp_server)
    web = Gunicorn(env, tmp_path / "web.log")
    worker = CeleryWorker(
        env, tmp_path / "worker.log", queue, pool="prefork", concurrency=CONCURRENCY
    )
    expected = ACTIONS * TARGETS
    pause = random.Random(7)  # the kills land at different moments, the same ones each run
    kill_times = []
    web.start()
    worker.start()
    started = time.monotonic()
    try:
        emails = [f"supporter{n}@example.org" for n in range(ACTIONS)]
        with ThreadPoolExecutor(1) as background:
            posting = background.submit(post_actions, web.port, campaign.pk, emails)
            deadline = time.monotonic() + 600
            while len(kill_times) < KILLS and time.monotonic() < deadline:
                # Kill only once this worker is delivering, at a different moment each time.
                mail_after(smtp_server, smtp_server.received, timeout=120)
                time.sleep(pause.uniform(0, 0.4))
                received = smtp_server.received
                if received >= expected:
                    break  # all delivered before the last kill: the test fails below
                kill_times.append(time.monotonic())
                worker.kill()
                worker.start()
                print(
                    f"kill {len(kill_times)}: {received} of {expected} letters received; "
                    f"restarted in {time.monotonic() - kill_times[-1]:.1f} s",
                    flush=True,
                )
            statuses = posting.result()
        assert statuses == {302: ACTIONS}
        assert len(kill_times) == KILLS  # each while deliveries were under way

        # What the killed workers held is re-enqueued by the sweeper, as beat would do.
        recover(env, letters=expected)
        delivered_in = time.monotonic() - started
        print(f"all delivered {delivered_in:.0f} s after the first action")
        time.sleep(3)  # anything still in flight has arrived
    finally:
        worker.stop()
        web.stop()

    arrivals = smtp_server.arrivals
    copies = copies_by_letter(message for _, message in arrivals)
    wanted = {(email, target.email) for email in emails for target in targets}
    print(f"{len(arrivals)} messages for {expected} letters after {len(kill_times)} kills")
    assert Signature.objects.count() == ACTIONS
    assert set(copies) == wanted  # none lost, none unasked for
    assert Delivery.objects.filter(state=Delivery.State.SENT).count() == expected
    twice = {letter: sent for letter, sent in copies.items() if len(sent) > 1}
    assert not twice, resends_explained(twice, arrivals, kill_times)
    assert len(arrivals) == expected
    fault_figures.append(
        (
            f"worker killed with SIGKILL {KILLS} times while {ACTIONS:,} actions × {TARGETS} "
            "targets were delivered",
            f"all {expected:,} letters delivered {delivered_in:.0f} s after the first action, "
            f"{len(arrivals):,} messages received: none lost, none duplicated",
        )
    )


def test_a_letter_the_server_accepts_after_the_worker_is_killed_is_recorded_not_resent(
    site, smtp_server, broker, tmp_path
):
    """The race above, made certain: the worker is killed while the server holds back its 250.

    The pool process outlives its worker only until that answer is recorded, then exits.
    """
    campaign = CampaignPageFactory(parent=site.root_page, targets=[TargetFactory()])
    queue = f"clarion-faults-{uuid.uuid4().hex[:12]}"
    env = app_env(database_url(), broker.url(), queue=queue, smtp=smtp_server)
    web = Gunicorn(env, tmp_path / "web.log")
    worker = CeleryWorker(env, tmp_path / "worker.log", queue, pool="prefork", concurrency=1)
    smtp_server.answer_after(2)
    web.start()
    worker.start()
    try:
        pool = children(worker.pid)
        assert post_actions(web.port, campaign.pk, ["ana@example.org"]) == {302: 1}
        assert wait_until(lambda: smtp_server.messages, timeout=60)
        worker.kill()  # the letter is in; its 250 is two seconds away

        assert wait_until(lambda: not any(map(running, pool)), timeout=30)
        assert Delivery.objects.get().state == Delivery.State.SENT
        smtp_server.answer_after(0)
        worker.start()
        print("sweep:", sweep_outbox(env), flush=True)  # as beat would, for what looks lost
        time.sleep(3)
    finally:
        worker.stop()
        web.stop()
    assert len(smtp_server.messages) == 1


def running(pid: int) -> bool:
    """Whether `pid` is a process still running (not gone, nor a zombie waiting to be reaped)."""
    try:
        stat = open(f"/proc/{pid}/stat").read()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"
