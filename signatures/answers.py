"""What a campaign page (and the API) shows of its targets' answers: the published ones,
and who has answered — "2 of 3 targets have answered", and on a campaign that writes to
representatives the share of those written to.

Answers are recorded against any translation of the campaign and shown on all of them.
Read from the shared cache, made again after ANSWERS_SECONDS or when an answer is
published or unpublished (`changed`, from signatures/apps.py).
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.core.cache import cache
from django.db import transaction

from .models import Delivery, TargetReply

ANSWERS_SECONDS = 60


@dataclass(frozen=True)
class PublishedAnswer:
    target_id: int
    target: str
    received_at: datetime
    body: str
    document_url: str  # empty: none attached


@dataclass(frozen=True)
class Answers:
    answers: list[PublishedAnswer] = field(default_factory=list)
    targets: int = 0  # the campaign's own targets
    targets_answered: int = 0
    representatives: int = 0  # representatives written to (campaigns that write to them)
    representatives_answered: int = 0

    @property
    def representative_share(self) -> int | None:
        """Per cent of the representatives written to who answered; None if none written to."""
        if not self.representatives:
            return None
        return round(100 * self.representatives_answered / self.representatives)


def _cache_key(translation_key) -> str:
    return f"clarion:answers:{translation_key}"


def answers_for(campaign) -> Answers:
    key = _cache_key(campaign.translation_key)
    found = cache.get(key)
    if found is None:
        found = _read(campaign)
        cache.set(key, found, ANSWERS_SECONDS)
    return found


def _read(campaign) -> Answers:
    published = list(
        TargetReply.objects.filter(campaign__translation_key=campaign.translation_key, live=True)
        .select_related("target")
        .order_by("-received_at", "pk")
    )
    answered = {reply.target_id for reply in published}
    own = {target.pk for target in campaign.targets}
    representatives = set()
    if campaign.writes_to_representatives:
        representatives = set(
            Delivery.objects.filter(
                signature__campaign_id=campaign.counter_source.pk,
                target__directory__isnull=False,
            )
            .values_list("target_id", flat=True)
            .distinct()
        )
    return Answers(
        answers=[
            PublishedAnswer(
                target_id=reply.target_id,
                target=str(reply.target),
                received_at=reply.received_at,
                body=reply.body,
                document_url=reply.document.url if reply.document else "",
            )
            for reply in published
        ],
        targets=len(own),
        targets_answered=len(own & answered),
        representatives=len(representatives),
        representatives_answered=len(representatives & answered),
    )


def changed(sender=None, instance=None, **kwargs) -> None:
    """An answer was published, unpublished or deleted: show it on the next read, and again
    once its transaction commits (a read before then would keep the answers without it)."""
    if instance is not None and instance.campaign_id:
        key = _cache_key(instance.campaign.translation_key)
        cache.delete(key)
        transaction.on_commit(lambda: cache.delete(key))
