"""Sending an update to a million supporters: time to queue, emails per second per worker
process, and the worker's memory over the run.

    flock /tmp/clarion-heavy.lock .venv/bin/python -m bench.bench_updates

On a fresh PostgreSQL database with the demo campaign (bench/setup_db.py): its supporters
made in bulk (bench/supporters.py: copies of one row by generate_series), nine in ten
agreeing to hear back; one staff update's recipients written by `updates.queue_recipients`
(timed: one INSERT ... SELECT); then one Celery worker (prefork, one process) sends for
BENCH_UPDATE_SECONDS to an SMTP sink on loopback (aiosmtpd that counts and discards: the
"fake provider" is a real SMTP server, so each email costs what it costs against a real
provider's SMTP endpoint, bar the network), its memory sampled every few seconds. The
baseline, in the same run: the same SMTP hand-off alone (Django's SMTP backend on one kept
connection, no database), the ceiling one sending process can reach.

BENCH_UPDATE_SUPPORTERS (default 1,000,000) and BENCH_UPDATE_SECONDS (default 120) lower
the run for a quick check.
"""

import os
import statistics
import time
import uuid
from pathlib import Path
from tempfile import TemporaryDirectory

from bench.report import write_section
from bench.servers import CeleryWorker, MemorySampler, PrivateRedis, app_env, free_port
from bench.setup_db import drop_database, fresh_database

DATABASE = "clarion_updates_bench"
SUPPORTERS = int(os.environ.get("BENCH_UPDATE_SUPPORTERS", "1000000"))
SECONDS = int(os.environ.get("BENCH_UPDATE_SECONDS", "120"))
BASELINE_EMAILS = 2000


def make_supporters() -> tuple[object, float]:
    from bench.supporters import add_copies
    from campaigns.models import CampaignPage
    from signatures.models import Signature

    campaign = CampaignPage.objects.live().filter(slug="free-the-lakeside-four").get()
    first = Signature.objects.create(
        campaign=campaign,
        first_name="Ana",
        last_name="Okonjo",
        email="bench-0@example.org",
        email_key="bench-0@example.org",
        consent=True,
        status=Signature.Status.COUNTED,
    )
    started = time.perf_counter()
    add_copies(first.pk, 1, SUPPORTERS - 1, consent="mod(g, 10) <> 7")
    return campaign, time.perf_counter() - started


def queue_update(campaign) -> tuple[object, int, float]:
    """The update's mailing and its recipients, as a worker writes them once it is published."""
    from signatures.models import CampaignUpdate, UpdateMailing
    from signatures.services import updates

    update = CampaignUpdate.objects.create(
        campaign=campaign, subject="The minister answered", body="Read the answer.", live=True
    )
    mailing = UpdateMailing.objects.create(update=update, campaign_id=campaign.pk)
    started = time.perf_counter()
    queued = updates.queue_recipients(mailing.pk)  # enqueues its senders, for the worker
    return mailing, queued, time.perf_counter() - started


def baseline(sink) -> float:
    """Emails per second of the SMTP hand-off alone, from this process."""
    from django.core.mail import EmailMessage

    from signatures.services import mailer

    message = EmailMessage("Subject", "Body " * 80, "from@example.org", ["to@example.org"])
    started = time.perf_counter()
    for _ in range(BASELINE_EMAILS):
        mailer.send(message)
    mailer.discard()
    return BASELINE_EMAILS / (time.perf_counter() - started)


def measure(url: str, redis, sink, queue: str) -> str:
    from django.db.models import Max, Min

    from signatures.models import UpdateRecipient

    campaign, generated = make_supporters()
    ceiling = baseline(sink)
    mailing, queued, queue_seconds = queue_update(campaign)
    env = app_env(url, redis.url(0), queue=queue, smtp=sink, cache_url=redis.url(1))
    env["LOG_LEVEL"] = "WARNING"
    with TemporaryDirectory() as logs:
        worker = CeleryWorker(env, Path(logs) / "worker.log", queue, pool="prefork")
        worker.start()
        main = worker.pid
        sampler = MemorySampler({"worker": worker.pids}, interval=5)
        sampler.start()
        time.sleep(SECONDS)
        sampler.stop()
        worker.stop()
    sent = UpdateRecipient.objects.filter(mailing=mailing, state="sent")
    times = sent.aggregate(first=Min("sent_at"), last=Max("sent_at"))
    count = sent.count()
    span = (times["last"] - times["first"]).total_seconds() if count > 1 else 0
    rate = count / span if span else 0
    pool = [series for name, series in sampler.samples.items() if name != f"worker {main}"]
    child = max(pool, key=len)  # the pool process that sent (restarted ones sample less)
    warm = [kib for at, kib in child if at >= 10] or [kib for _, kib in child]
    rss = f"{warm[0] / 1024:.0f} → {warm[-1] / 1024:.0f} MiB (max {max(warm) / 1024:.0f})"
    print(f"sink received {sink.received - BASELINE_EMAILS} emails from the worker")
    return f"""## Updates to supporters (`make bench-updates`)

{SUPPORTERS:,} supporters of the demo campaign made by generate_series, 10,000 a transaction
({generated:.1f} s),
{queued:,} of them agreeing to hear back; one worker process (prefork, concurrency 1) sending
to an SMTP sink on loopback (aiosmtpd, counting and discarding) for {SECONDS} s; PostgreSQL,
Redis, the sink and the worker share this machine's cores.

| figure | value |
| --- | ---: |
| time to queue {queued:,} recipients (one INSERT ... SELECT) | {queue_seconds:.1f} s |
| emails sent in the run, per worker process | {count:,} in {span:.0f} s: **{rate:.0f}/s** |
| baseline: SMTP hand-off alone, one process, no database | {ceiling:.0f}/s |
| worker pool process memory (RSS) after 10 s → end of run | {rss} |
| RSS samples (every 5 s) spread | {statistics.pstdev(warm) / 1024:.1f} MiB |

At {rate:.0f}/s a million emails take {1_000_000 / max(rate, 1) / 3600:.1f} h on one worker
process; senders share a mailing through `FOR UPDATE SKIP LOCKED`, so more worker
processes take more rows at once (not measured here: this machine has two cores).
"""


def main():
    from tests.smtp import RecordingSMTPServer

    url = fresh_database(DATABASE)
    redis = PrivateRedis(Path("/tmp") / f"bench-updates-redis-{os.getpid()}.log")
    redis.start()
    sink = RecordingSMTPServer(port=free_port(), keep=False)
    sink.__enter__()
    queue = f"clarion-bench-{uuid.uuid4().hex[:12]}"  # this process enqueues the senders there
    try:
        os.environ.update(
            DJANGO_SETTINGS_MODULE="cms.settings.dev",
            DEBUG="false",
            DATABASE_URL=url,
            CELERY_BROKER_URL=redis.url(0),
            CACHE_URL=redis.url(1),
            EMAIL_URL=f"smtp://{sink.host}:{sink.port}",
            CELERY_TASK_DEFAULT_QUEUE=queue,
            LOG_LEVEL="ERROR",
        )
        import django

        django.setup()
        markdown = measure(url, redis, sink, queue)
    finally:
        sink.__exit__()
        redis.stop()
        drop_database(DATABASE)
    write_section("updates", markdown)
    print(markdown)


if __name__ == "__main__":
    main()
