"""Beat's heartbeat: a periodic task records when it last ran, readiness reads it.

It runs through beat, the broker and a worker, so a fresh heartbeat shows all three work:
the outbox sweeper and the digests depend on the same path.
"""

from datetime import timedelta

from django.utils import timezone

from cms.base.models import Heartbeat

BEAT = "beat"


def record(name: str = BEAT) -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"beat_at": timezone.now()})


def age(name: str = BEAT) -> timedelta | None:
    """How long ago the heartbeat was recorded; None if never."""
    beat_at = Heartbeat.objects.filter(name=name).values_list("beat_at", flat=True).first()
    return None if beat_at is None else timezone.now() - beat_at
