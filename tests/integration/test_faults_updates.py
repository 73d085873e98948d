"""Kill the worker with SIGKILL again and again while an update goes to 20,000 supporters:
afterwards every supporter who agreed to hear back, and did not unsubscribe and is not
suppressed, has the update once, and nobody else has it.

As the letters' fault test (test_faults_worker.py): a private Redis broker, a prefork
worker killed at arbitrary moments and restarted, and what it held recovered the way
production recovers it, by the outbox sweeper. The supporters are rows made in bulk; the
update is published in a process of the app, as from the admin.
"""

import os
import random
import time
import uuid

from django.db.models import Count
from django.utils import timezone

from bench.supporters import add_copies
from signatures.models import (
    CampaignUpdate,
    Signature,
    UpdateMailing,
    UpdateOptOut,
    UpdateRecipient,
)
from tests.factories import CampaignPageFactory
from tests.moderation.conftest import add_signature

from .conftest import database_url
from .faults import (
    FAULT_TEST_MARKS,
    CeleryWorker,
    app_env,
    mail_after,
    resends_explained,
    run_in_app,
    sweep_outbox,
    sweep_until,
)

pytestmark = FAULT_TEST_MARKS

SUPPORTERS = int(os.environ.get("CLARION_FAULT_SUPPORTERS", "20000"))
KILLS = 10
CONCURRENCY = 2


def test_sigkill_the_worker_while_an_update_is_sent_emails_each_supporter_once(
    site, smtp_server, broker, tmp_path, fault_figures
):
    campaign = CampaignPageFactory(parent=site.root_page)
    # Handled already, as its copies are: the worker owes it no letter, only the update.
    first = add_signature(
        campaign, email="bench-0@example.org", consent=True, dispatched_at=timezone.now()
    )
    add_copies(first.pk, 1, SUPPORTERS - 1, consent="mod(g, 10) <> 7")  # one in ten did not agree
    addresses = dict(Signature.objects.filter(campaign=campaign).values_list("email", "pk"))
    number = {email: int(email.split("-")[1].split("@")[0]) for email in addresses}
    unsubscribed = {email for email, n in number.items() if n % 25 == 3}
    suppressed = {email for email, n in number.items() if n % 40 == 5} - unsubscribed
    refused = {email for email, n in number.items() if n % 10 == 7}
    UpdateOptOut.objects.bulk_create(UpdateOptOut(signature_id=addresses[e]) for e in unsubscribed)
    wanted = set(addresses) - unsubscribed - suppressed - refused
    update = CampaignUpdate.objects.create(
        campaign=campaign, subject="The minister answered", body="Read it.", live=False
    )

    queue = f"clarion-faults-{uuid.uuid4().hex[:12]}"
    env = app_env(database_url(), broker.url(), queue=queue, smtp=smtp_server)
    worker = CeleryWorker(
        env, tmp_path / "worker.log", queue, pool="prefork", concurrency=CONCURRENCY
    )
    pause = random.Random(11)  # the kills land at different moments, the same ones each run
    kill_times = []
    # Suppressed by the app itself: the list holds keyed hashes, the key the app's own.
    suppress = "from signatures.services.tracking import suppress\n"
    run_in_app(env, suppress + f"for e in {sorted(suppressed)!r}: suppress(e, 'complained')")
    worker.start()
    started = time.monotonic()
    try:
        publish = "from signatures.models import CampaignUpdate as U\n"
        run_in_app(env, publish + f"U.objects.get(pk={update.pk}).save_revision().publish()")
        deadline = time.monotonic() + 600
        while len(kill_times) < KILLS and time.monotonic() < deadline:
            # Sending, an update's emails arrive many a second: two seconds without one
            # means the worker has nothing to send.
            if not mail_after(smtp_server, smtp_server.received, timeout=2):
                # What the killed worker held is lost until beat's sweep: sweep now.
                print("sweep:", sweep_outbox(env), flush=True)
                continue
            time.sleep(pause.uniform(0, 0.6))
            received = smtp_server.received
            if received >= len(wanted):
                break  # all sent before the last kill: the test fails below
            kill_times.append(time.monotonic())
            worker.kill()
            worker.start()
            print(f"kill {len(kill_times)}: {received} of {len(wanted)} received", flush=True)
        assert len(kill_times) == KILLS  # each while the update was being sent

        mailing = UpdateMailing.objects.get(update=update)
        queued = UpdateRecipient.objects.filter(mailing=mailing, state="queued")

        def progress():
            return queued.count(), len(smtp_server.messages)

        sweep_until(env, progress, done=lambda: not queued.exists(), timeout=600)
        sent_in = time.monotonic() - started
        time.sleep(3)  # anything still in flight has arrived
    finally:
        worker.stop()

    arrivals = smtp_server.arrivals
    copies = {}
    for _, message in arrivals:
        copies.setdefault(message["To"].addresses[0].addr_spec, []).append(message)
    print(f"{len(arrivals)} emails for {len(wanted)} supporters after {len(kill_times)} kills")
    assert not queued.exists()
    assert set(copies) == wanted  # none lost; no unsubscribed, suppressed or refusing one
    twice = {address: sent for address, sent in copies.items() if len(sent) > 1}
    assert not twice, resends_explained(twice, arrivals, kill_times)
    states = dict(
        UpdateRecipient.objects.filter(mailing=mailing)
        .values_list("state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    assert states == {
        "sent": len(wanted),
        "unsubscribed": len(unsubscribed - refused),
        "suppressed": len(suppressed - refused),
    }
    fault_figures.append(
        (
            f"worker killed with SIGKILL {KILLS} times while an update went to "
            f"{SUPPORTERS:,} supporters",
            f"all {len(wanted):,} consenting supporters emailed {sent_in:.0f} s after "
            f"publishing, {len(arrivals):,} emails received: none lost, none twice, none "
            "to the unsubscribed or suppressed",
        )
    )
