"""Helpers for the fault-injection tests: the app's processes on a private broker.

The processes themselves (a private redis-server, gunicorn, Celery workers on ports
8500-8599) come from bench/servers.py, shared with the load benchmarks.
"""

import collections
import http.client
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial
from urllib.parse import urlencode

import pytest

from bench.servers import BASE_DIR, CeleryWorker, Gunicorn, PrivateRedis, app_env
from tests import waiting

__all__ = ["CeleryWorker", "Gunicorn", "app_env", "private_redis"]

#: The fault tests' marks: web and worker processes share the committed test database.
FAULT_TEST_MARKS = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]


@contextmanager
def private_redis(log_dir):
    """A redis-server of the test's own, so stopping it disturbs no one else."""
    redis = PrivateRedis(log_dir / "redis.log")
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


def post_actions(port, campaign_id, emails, threads=4) -> collections.Counter:
    """POST one action per address to the form, a few at a time; count the answers."""

    def post(email):
        body = urlencode({"first_name": "Ana", "last_name": "Okonjo", "email": email})
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            connection.request(
                "POST",
                f"/act/{campaign_id}/",
                body,
                {"Content-Type": "application/x-www-form-urlencoded"},
            )
            return connection.getresponse().status
        finally:
            connection.close()

    with ThreadPoolExecutor(threads) as pool:
        return collections.Counter(pool.map(post, emails))


def sweep_outbox(env: dict, grace_seconds=180) -> str:
    """Run the outbox sweeper once, as beat does every minute, past its grace period.

    The sweeper re-enqueues what has waited longer than its grace period (minutes); moving
    `now` forward stands in for waiting that long.
    """
    return run_in_app(
        env,
        "from datetime import timedelta\n"
        "from django.utils import timezone\n"
        "from signatures.services.dispatch import sweep_outbox\n"
        f"print(sweep_outbox(now=timezone.now() + timedelta(seconds={grace_seconds})))\n",
    )


def run_in_app(env: dict, code: str) -> str:
    """Run `code` in a process of the app on `env` (its broker, not the test's in-process
    tasks): what it printed."""
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip()


def copies_by_letter(messages) -> dict:
    """The messages that arrived for each (supporter, target) letter."""
    copies = collections.defaultdict(list)
    for message in messages:
        if message["Reply-To"]:
            supporter = message["Reply-To"].addresses[0].addr_spec
            copies[supporter, message["To"].addresses[0].addr_spec].append(message)
    return copies


def write_fault_report(rows) -> None:
    """The fault tests' figures as the `faults` section of docs/benchmarks.md."""
    from bench.report import write_section

    table = "".join(f"| {fault} | {figures} |\n" for fault, figures in rows)
    write_section(
        "faults",
        "## Fault injection (`make faults`, also part of `make test`)\n\n"
        "Real PostgreSQL, a private redis-server as broker, gunicorn taking the actions over "
        "HTTP, Celery prefork workers (2 processes) and a local aiosmtpd server, all on this "
        "machine; figures from the last passing run.\n\n"
        f"| fault | result |\n| --- | --- |\n{table}",
    )


wait_until = partial(waiting.wait_until, interval=0.5)  # polls a busy database


def mail_after(smtp_server, count: int, timeout: float) -> bool:
    """Whether more than `count` messages have arrived within `timeout` seconds: a counter in
    this process, so polled often (each kill waits on it; half a second's polling made each
    one land later)."""
    return waiting.wait_until(lambda: smtp_server.received > count, timeout, interval=0.02)


def recover(env: dict, letters: int, timeout=240, stalled_after=5) -> bool:
    """Wait until `letters` deliveries are sent, sweeping whenever the work stops moving."""
    from signatures.models import Delivery, Signature

    sent = Delivery.objects.filter(state=Delivery.State.SENT)

    def progress():
        return Signature.objects.exclude(dispatched_at=None).count(), sent.count()

    sweep_until(env, progress, lambda: sent.count() >= letters, timeout, stalled_after)
    return sent.count() == letters


def sweep_until(env: dict, progress, done, timeout: float, stalled_after: float = 5) -> None:
    """Wait until `done()`, sweeping the outbox whenever `progress()` stops changing.

    In production beat sweeps every minute. Here the sweep comes as soon as the workers
    have nothing left to do but are not done (what they lost is only in the database), and
    never while they are still working through the queue, which it would only lengthen.
    """
    deadline = time.monotonic() + timeout
    seen, since = progress(), time.monotonic()
    while not done() and time.monotonic() < deadline:
        time.sleep(1)
        if (now := progress()) != seen:
            seen, since = now, time.monotonic()
        elif time.monotonic() - since > stalled_after:
            print("sweep:", sweep_outbox(env), flush=True)
            since = time.monotonic()


def resends_explained(twice: dict, arrivals, kill_times: list[float]) -> str:
    """For a failure: each email sent twice, with when its copies came relative to the kills."""
    accepted_at = collections.defaultdict(list)
    for at, message in arrivals:
        accepted_at[message["Message-ID"]].append(at)
    lines = []
    for letter, sent in twice.items():
        times = accepted_at[sent[0]["Message-ID"]]
        nearest = min(kill_times, key=lambda killed: abs(killed - times[0]))
        lines.append(
            f"{letter}: {len(sent)} copies, identical: {len({m.as_bytes() for m in sent}) == 1}; "
            f"the first {times[0] - nearest:+.4f} s from the nearest kill"
        )
    return "emails sent more than once:\n" + "\n".join(lines)
