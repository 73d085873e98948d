"""Helpers for the fault-injection tests: the app's processes on a private broker.

The processes themselves (a private redis-server, gunicorn, Celery workers on ports
8500-8599) come from bench/servers.py, shared with the load benchmarks.
"""

import collections
import http.client
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from urllib.parse import urlencode

from bench.servers import BASE_DIR, CeleryWorker, Gunicorn, PrivateRedis

__all__ = ["CeleryWorker", "Gunicorn", "private_redis"]


@contextmanager
def private_redis(log_dir):
    """A redis-server of the test's own, so stopping it disturbs no one else."""
    redis = PrivateRedis(log_dir / "redis.log")
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


def app_env(database_url, broker_url, queue, smtp_server, **extra) -> dict:
    """Environment for a web or worker process of the app under test."""
    return (
        os.environ
        | {
            "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
            "DEBUG": "false",
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": broker_url,
            "CELERY_TASK_DEFAULT_QUEUE": queue,
            "EMAIL_URL": f"smtp://{smtp_server.host}:{smtp_server.port}",
            # Every action here comes from one address, as fast as a script can send them.
            "CLARION_RATE_LIMIT": "0/300",
            "CLARION_MIN_FILL_SECONDS": "0",
            # The per-target throttle protects real mail servers; this one takes everything.
            "CLARION_TARGET_MAX_PER_MINUTE": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "INFO",
        }
        | extra
    )


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
    code = (
        "import django; django.setup()\n"
        "from datetime import timedelta\n"
        "from django.utils import timezone\n"
        "from signatures.services import sweep\n"
        f"print(sweep(now=timezone.now() + timedelta(seconds={grace_seconds})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip()


def letters_by_delivery(messages) -> collections.Counter:
    """How many times each (supporter, target) letter arrived."""
    return collections.Counter(
        (message["Reply-To"].addresses[0].addr_spec, message["To"].addresses[0].addr_spec)
        for message in messages
        if message["Reply-To"]
    )


def wait_until(predicate, timeout):
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.5)
    return predicate()
