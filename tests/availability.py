"""Which real services this run has. Tests that need a missing one are skipped with the
reason, unless CLARION_REQUIRE_SERVICES=1 (set by .ci/run), which turns a skip into a failure."""

import os
import shutil
import socket
from functools import cache
from urllib.parse import urlparse

from django.conf import settings
from django.db import connection

REQUIRE_ALL = os.environ.get("CLARION_REQUIRE_SERVICES") == "1"
CHROMIUM = "/usr/bin/chromium"
#: The RabbitMQ the broker tests use (their own queues on it, removed afterwards).
RABBITMQ_URL = os.environ.get("CLARION_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672//")


def _reachable(url: str, default_port: int) -> bool:
    parts = urlparse(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), 2
        ):
            return True
    except OSError:
        return False


def missing_postgres() -> str | None:
    if connection.vendor != "postgresql":
        return "needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/clarion"
    return None


@cache
def missing_redis() -> str | None:
    broker = settings.CELERY_BROKER_URL
    if not broker.startswith("redis://"):
        return "needs a Redis broker: set CELERY_BROKER_URL=redis://127.0.0.1:6379/0"
    if not _reachable(broker, 6379):
        return f"needs a Redis broker: {broker} is not reachable"
    return None


@cache
def missing_rabbitmq() -> str | None:
    from kombu import Connection

    broker = Connection(RABBITMQ_URL, connect_timeout=3)
    try:
        with broker:
            broker.ensure_connection(max_retries=1)
    except Exception as error:
        where = broker.as_uri()  # the password masked
        return f"needs RabbitMQ at {where} (CLARION_RABBITMQ_URL): {type(error).__name__}"
    return None


@cache
def missing_browser() -> str | None:
    if not shutil.which(CHROMIUM):
        return f"needs Chromium at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "needs Playwright (pip install playwright)"
    return None


MARKERS = {
    "postgres": missing_postgres,
    "redis": missing_redis,
    "rabbitmq": missing_rabbitmq,
    "browser": missing_browser,
}
