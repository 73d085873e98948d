"""A count anyone can check: how a campaign's shown number is made up.

The shown count (signatures.counter) is the actions that count plus what editors added
from elsewhere (the counter offset). Beside it a campaign may publish the actions waiting
for their supporter to confirm by email, and those moderation took out of the count, as
numbers per day and reason: never a name, an address or anything else about a person.

Read from the shared cache, recounted after BREAKDOWN_SECONDS or when moderation changes a
status (`changed`): the waiting and removed numbers are COUNTs over the (campaign, status)
index, cheap but not free, so not made on every view.
"""

from dataclasses import dataclass, field
from datetime import date

from django.core.cache import cache
from django.db.models import Count, F
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _

from . import counter
from .models import Signature

#: How long a breakdown is served from the cache before it is made again.
BREAKDOWN_SECONDS = 60

#: Why moderation took actions out of the count, as the public reads it.
REASONS = {
    Signature.Status.REJECTED: _("rejected by a moderator"),
    Signature.Status.SPAM: _("spam or automated"),
}


@dataclass(frozen=True)
class Removal:
    """How many actions moderation took out of the count on one day for one reason."""

    day: date | None  # None: removed before the day was recorded
    reason: str  # a key of REASONS
    count: int

    @property
    def reason_label(self) -> str:
        return str(REASONS[self.reason])


@dataclass(frozen=True)
class Breakdown:
    counted: int  # the actions that count (every translation's)
    gathered_elsewhere: int  # the editors' counter offset
    awaiting_confirmation: int
    removals: list[Removal] = field(default_factory=list)

    @property
    def shown(self) -> int:
        """The number the page shows: what counts plus what was gathered elsewhere."""
        return self.counted + self.gathered_elsewhere

    @property
    def removed(self) -> int:
        return sum(removal.count for removal in self.removals)


def _cache_key(campaign_id: int) -> str:
    return f"clarion:count-breakdown:{campaign_id}"


def breakdown(campaign) -> Breakdown:
    """The breakdown of any translation's count: its source's, as the count is."""
    source = campaign.counter_source
    key = _cache_key(source.pk)
    parts = cache.get(key)
    if parts is None:
        parts = _read_parts(source.pk)
        cache.set(key, parts, BREAKDOWN_SECONDS)
    awaiting, removals = parts
    return Breakdown(
        counted=counter.counted_signatures(source.pk),
        gathered_elsewhere=source.counter_offset,
        awaiting_confirmation=awaiting,
        removals=[Removal(*removal) for removal in removals],
    )


def _read_parts(campaign_id: int) -> tuple[int, list[tuple]]:
    rows = Signature.objects.filter(campaign_id=campaign_id)
    awaiting = rows.filter(status=Signature.Status.PENDING).count()
    removals = (
        rows.removed()
        .annotate(day=TruncDate("removed_at"))
        .values("day", "status")
        .annotate(count=Count("pk"))
        # Newest day first; those removed before days were recorded (no day) last.
        .order_by(F("day").desc(nulls_last=True), "status")
    )
    return awaiting, [(row["day"], row["status"], row["count"]) for row in removals]


def changed(campaign_id: int) -> None:
    """Moderation changed a status: make the breakdown again on the next read."""
    cache.delete(_cache_key(campaign_id))
