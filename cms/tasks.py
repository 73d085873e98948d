from celery import shared_task

from . import heartbeat as heartbeats


@shared_task(ignore_result=True, expires=60)
def heartbeat() -> None:
    """Scheduled by beat; readiness (/health/) reports beat as down when this stops."""
    heartbeats.record()
