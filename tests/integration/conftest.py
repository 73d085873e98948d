import os
import uuid

import pytest
from django.conf import settings
from django.db import connection

from cms.celery import app as celery_app

from .faults import CeleryWorker, app_env, private_redis, write_fault_report


def database_url() -> str:
    """The URL of the test database this process is using, for other processes to share."""
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def celery_worker(transactional_db, smtp_server, tmp_path):
    queue = f"clarion-test-{uuid.uuid4().hex[:12]}"
    env = app_env(database_url(), settings.CELERY_BROKER_URL, queue=queue, smtp=smtp_server)
    worker = CeleryWorker(env, tmp_path / "worker.log", queue)
    previous = celery_app.conf.task_always_eager, celery_app.conf.task_default_queue
    celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = False, queue
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()
        celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = previous


@pytest.fixture
def broker(tmp_path):
    """A redis-server of the test's own: stopping it or killing its clients disturbs no one."""
    with private_redis(tmp_path) as redis:
        yield redis


@pytest.fixture(scope="session")
def fault_figures():
    """(fault, what was measured) rows; `make faults` writes them to docs/benchmarks.md."""
    rows = []
    yield rows
    if rows and os.environ.get("CLARION_FAULT_REPORT"):
        write_fault_report(rows)
