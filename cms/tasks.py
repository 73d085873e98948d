import io

from celery import shared_task
from django.core.cache import cache
from django.core.management import call_command

from . import heartbeat as heartbeats

#: One run of scheduled publishing at a time: a run slower than beat's interval, or a
#: message delivered twice, must not publish the same revision twice (two log entries, two
#: purges). The lock lapses by itself if its worker dies.
PUBLISH_SCHEDULED_LOCK = "clarion:publish-scheduled"
PUBLISH_SCHEDULED_LOCK_SECONDS = 300


@shared_task(ignore_result=True, expires=60)
def heartbeat() -> None:
    """Scheduled by beat; readiness (/health/) reports beat as down when this stops."""
    heartbeats.record()


@shared_task(ignore_result=True, expires=60)
def publish_scheduled() -> None:
    """Wagtail's scheduled publishing, run by beat every minute: pages and snippets whose
    approved go-live date has come are published, live ones past their expiry date are
    unpublished. This is how editors schedule a campaign's launch and close; publishing
    through Wagtail sends the usual signals, so pages caches and the CDN are purged too.
    (`expires`: while workers are away, one run on their return does for all missed ones.)"""
    if not cache.add(PUBLISH_SCHEDULED_LOCK, 1, PUBLISH_SCHEDULED_LOCK_SECONDS):
        return  # another run is at it
    try:
        call_command("publish_scheduled", stdout=io.StringIO())
    finally:
        cache.delete(PUBLISH_SCHEDULED_LOCK)
