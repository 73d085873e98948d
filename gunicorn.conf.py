"""gunicorn reads this from the working directory: with PROMETHEUS_MULTIPROC_DIR set, each
worker writes its counts there and /metrics adds them up (cms/metrics.py)."""

import os
from pathlib import Path


def on_starting(server):
    # Counts left by a previous run would be added to this one's.
    if directory := os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        Path(directory).mkdir(parents=True, exist_ok=True)
        for stale in Path(directory).glob("*.db"):
            stale.unlink()


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
