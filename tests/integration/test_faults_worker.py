"""Kill the worker with SIGKILL again and again while actions are delivered: afterwards
every action has produced its email to each target, none lost, each letter one message.

Real PostgreSQL, a real Redis broker (a private one: nothing here can disturb other runs),
gunicorn taking the actions over HTTP, and a Celery worker process that is killed at
arbitrary moments and restarted. What a killed worker had in hand is recovered the way
production recovers it: the outbox sweeper (beat, every minute) re-enqueues it.

Over SMTP, exactly once has a limit no sender escapes: a kill after the mail server has
accepted a letter but before our commit of 'sent' reaches PostgreSQL leaves that letter
looking unsent, so it goes again. Delivery shrinks that moment to one round trip (see
signatures/services/delivery.py), and a letter sent again is the very same message, same
Message-ID, so mail systems can tell. So this test counts those transmissions, and asserts
each is an identical copy whose earlier copy the server accepted at the moment of a kill: a
letter sent twice for any other reason fails it.
"""

import collections
import os
import random
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from signatures.models import Delivery, Signature
from tests.factories import CampaignPageFactory, TargetFactory

from .conftest import database_url
from .faults import (
    FAULT_TEST_MARKS,
    CeleryWorker,
    Gunicorn,
    app_env,
    copies_by_letter,
    post_actions,
    recover,
    wait_until,
)

pytestmark = FAULT_TEST_MARKS

ACTIONS = int(os.environ.get("CLARION_FAULT_ACTIONS", "2000"))
KILLS = 20
TARGETS = 2
CONCURRENCY = 2
#: A resend is explained by a kill this close to the server's acceptance of the earlier copy.
#: The 250-to-COMMIT moment is a millisecond; the rest is scheduling slack, either way: the
#: server (a thread of this process) may take in a letter's last bytes just after the kill.
#: Kills are more than a second apart, so each resend points at one kill.
KILL_WINDOW = 0.5


def test_sigkill_the_worker_20_times_while_delivering_loses_nothing_and_resends_only_identical_copies(
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
                before = len(smtp_server.messages)
                wait_until(lambda n=before: len(smtp_server.messages) > n, timeout=120)
                time.sleep(pause.uniform(0, 0.4))
                received = len(smtp_server.messages)
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
    for letter, sent in copies.items():
        assert len({message["Message-ID"] for message in sent}) == 1, letter
        assert len({message.as_bytes() for message in sent}) == 1, letter  # identical copies
    assert len({sent[0]["Message-ID"] for sent in copies.values()}) == expected
    assert Delivery.objects.filter(state=Delivery.State.SENT).count() == expected

    # Only a kill between the server's 250 and our commit sends a letter again: every copy
    # but a letter's last was accepted at the moment of a kill, and each kill cut at most
    # one letter in each of the worker's processes.
    accepted_at = collections.defaultdict(list)
    for at, message in arrivals:
        accepted_at[message["Message-ID"]].append(at)
    cut = [at for times in accepted_at.values() for at in times[:-1]]
    kills = [kill_at(at, kill_times) for at in cut]
    cut_by = collections.Counter(kills)
    print(
        f"raw duplicate transmissions: {len(cut)}; their first copies accepted at",
        ", ".join(
            f"{at - kill_times[n]:+.4f} s"
            for at, n in zip(cut, kills, strict=True)
            if n is not None
        ),
        "from a kill",
    )
    assert None not in cut_by, (
        "a letter was sent again with no kill at the moment of an earlier copy"
    )
    assert max(cut_by.values(), default=0) <= CONCURRENCY
    fault_figures.append(
        (
            f"worker killed with SIGKILL {KILLS} times while {ACTIONS:,} actions × {TARGETS} "
            "targets were delivered",
            f"all {expected:,} letters delivered {delivered_in:.0f} s after the first action, "
            f"none lost; {len(arrivals):,} messages received, "
            + (
                f"resent copies among them: {len(cut)} (identical, same Message-ID, each of a "
                f"letter accepted within {KILL_WINDOW} s of a kill)"
                if cut
                else "none resent"
            ),
        )
    )


def kill_at(accepted_at: float, kill_times: list[float]) -> int | None:
    """The kill (its number) that came as the server accepted a letter at `accepted_at`."""
    return next(
        (n for n, killed in enumerate(kill_times) if abs(killed - accepted_at) <= KILL_WINDOW),
        None,
    )
