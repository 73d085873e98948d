"""How much the workers owe, and for how long: for readiness and for metrics.

Three kinds of outbox rows wait for a worker (see outbox.py): actions not dispatched yet
(but those waiting for a representative to write to: the Deliveries screen lists them),
letters pending (but those a digest campaign holds on purpose), supporters' emails owed.
Each is read through its partial index, which holds only the rows waiting.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Min
from django.utils import timezone

from ..models import Delivery, Signature


@dataclass(frozen=True)
class Backlog:
    waiting: int
    #: How long the row waiting longest has been due; zero when nothing waits.
    oldest: timedelta


def backlog(now=None) -> Backlog:
    now = now or timezone.now()
    kinds = (
        Signature.objects.filter(
            dispatched_at__isnull=True,
            status__in=[Signature.Status.PENDING, Signature.Status.COUNTED],
            # Not one that waits for the directory (nobody to write to yet): no worker
            # would help, and readiness failing would take the site out for it.
            waits_for_representative="",
        ).aggregate(waiting=Count("pk"), since=Min("created_at")),
        Delivery.objects.filter(
            state=Delivery.State.PENDING, signature__campaign__digest_minutes=0
        ).aggregate(waiting=Count("pk"), since=Min("due_at")),
        Signature.objects.filter(email_due_at__isnull=False).aggregate(
            waiting=Count("pk"), since=Min("email_due_at")
        ),
    )
    since = min((kind["since"] for kind in kinds if kind["since"]), default=now)
    return Backlog(
        waiting=sum(kind["waiting"] for kind in kinds), oldest=max(now - since, timedelta(0))
    )
