"""What email providers report after accepting a message, through anymail's tracking events.

Each message Clarion sends carries metadata naming what it is for (`metadata_for`); the
providers send it back with their events, so an event finds its row without Clarion
storing any provider's message id. A hard bounce or a complaint, whatever the message,
puts its address on the suppression list (a keyed hash): supporters' emails are never
sent to it again, and a target's address on it is shown to editors and moderators as
bouncing.
"""

import logging

from django.db import transaction
from django.utils import timezone

from ..models import Delivery, Suppression
from . import webhooks
from .privacy import address_hash

logger = logging.getLogger(__name__)

#: The metadata key, and the kinds of message it names.
KEY = "clarion"
DELIVERY, DIGEST = "delivery", "digest"

OUTCOMES = {
    "delivered": Delivery.Outcome.DELIVERED,
    "bounced": Delivery.Outcome.BOUNCED,  # anymail's "bounced" is permanent; soft is "deferred"
    "complained": Delivery.Outcome.COMPLAINED,
    "rejected": Delivery.Outcome.REJECTED,
}
#: The webhook event each outcome announces (for endpoints that take letters' events).
LETTER_EVENTS = {
    Delivery.Outcome.DELIVERED: webhooks.LETTER_DELIVERED,
    Delivery.Outcome.BOUNCED: webhooks.LETTER_BOUNCED,
    Delivery.Outcome.REJECTED: webhooks.LETTER_BOUNCED,
    Delivery.Outcome.COMPLAINED: webhooks.LETTER_COMPLAINED,
}
#: Postmark reports its soft bounces as "bounced" too: those are retried, not final.
SOFT_BOUNCES = {"SoftBounce"}
SUPPRESSING = {
    "bounced": Suppression.Reason.BOUNCED,
    "complained": Suppression.Reason.COMPLAINED,
}


def metadata_for(kind: str, *ids: int) -> dict:
    """The metadata a message carries (anymail's `message.metadata`)."""
    return {KEY: ":".join([kind, *map(str, ids)])}


def record(event) -> None:
    """Apply one anymail tracking event: the delivery's outcome, the suppression list."""
    if isinstance(event.esp_event, dict) and event.esp_event.get("Type") in SOFT_BOUNCES:
        return
    if (reason := SUPPRESSING.get(event.event_type)) and event.recipient:
        suppress(event.recipient, reason)
    outcome = OUTCOMES.get(event.event_type)
    deliveries = _deliveries(str((event.metadata or {}).get(KEY, "")))
    if outcome is None or deliveries is None:
        return
    if outcome == Delivery.Outcome.DELIVERED:
        # Providers' events may arrive out of order: a bounce or complaint stays.
        deliveries = deliveries.filter(outcome="")
    explanation = "; ".join(
        part for part in (event.reject_reason, event.description or event.mta_response) if part
    )
    with transaction.atomic():
        ids = list(deliveries.values_list("pk", flat=True))
        changed = Delivery.objects.filter(pk__in=ids).update(
            outcome=outcome,
            outcome_reason=explanation[:1000],
            outcome_at=event.timestamp or timezone.now(),
        )
        webhooks.announce_letters(ids, LETTER_EVENTS[outcome])
    logger.info("tracking event %s applied to %s deliveries", event.event_type, changed)


def _deliveries(reference: str):
    """The deliveries a message's metadata names; None if it names none."""
    kind, _, ids = reference.partition(":")
    try:
        numbers = [int(part) for part in ids.split(":")]
    except ValueError:
        return None
    sent = Delivery.objects.filter(state=Delivery.State.SENT)
    if kind == DELIVERY and len(numbers) == 1:
        return sent.filter(pk=numbers[0])
    if kind == DIGEST and len(numbers) == 3:
        target, first, last = numbers
        return sent.filter(target_id=target, pk__gte=first, pk__lte=last)
    return None


def suppress(address: str, reason: str) -> None:
    entry, created = Suppression.objects.get_or_create(
        address_hash=address_hash(address), defaults={"reason": reason}
    )
    # A complaint outweighs a bounce: an address that complained is reported so.
    if not created and reason == Suppression.Reason.COMPLAINED:
        Suppression.objects.filter(pk=entry.pk).update(reason=reason)


def is_suppressed(address: str) -> bool:
    return Suppression.objects.filter(address_hash=address_hash(address)).exists()


def bouncing_targets(targets) -> list:
    """Those of `targets` whose address hard-bounced."""
    hashes = {address_hash(target.email) for target in targets if target.email}
    found = set(
        Suppression.objects.filter(
            reason=Suppression.Reason.BOUNCED, address_hash__in=hashes
        ).values_list("address_hash", flat=True)
    )
    return [target for target in targets if target.email and address_hash(target.email) in found]
