"""What email providers report after accepting a message, through anymail's tracking events.

Each message Clarion sends carries metadata naming what it is for (`metadata_for`); the
providers send it back with their events, so an event finds its row without Clarion
storing any provider's message id. A hard bounce or a complaint, whatever the message,
puts that very mailbox on the suppression list (a keyed hash; `ana+news@` is not `ana@`):
supporters' emails are not sent to it again, and a target's address on it is shown to
editors and moderators as bouncing. A bounce expires (CLARION_BOUNCE_SUPPRESSION_DAYS: a
full or moved mailbox comes back); a complaint holds until a signature moderator lifts it.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from .. import log_actions
from ..models import Delivery, Suppression
from . import webhooks
from .privacy import mailbox_hash

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
    now = timezone.now()
    expires = (
        now + timedelta(days=settings.CLARION_BOUNCE_SUPPRESSION_DAYS)
        if reason == Suppression.Reason.BOUNCED
        else None
    )
    entry, created = Suppression.objects.get_or_create(
        address_hash=mailbox_hash(address), defaults={"reason": reason, "expires_at": expires}
    )
    if created:
        return
    if entry.reason == Suppression.Reason.COMPLAINED and entry.expires_at is None:
        return  # a complaint outweighs a later bounce: reported, and kept, as a complaint
    # A complaint, or a bounce again: it holds from now.
    Suppression.objects.filter(pk=entry.pk).update(
        reason=reason, created_at=now, expires_at=expires
    )


def is_suppressed(address: str) -> bool:
    return (
        Suppression.objects.in_force(timezone.now())
        .filter(address_hash=mailbox_hash(address))
        .exists()
    )


def suppression_of(address: str) -> Suppression | None:
    """Why supporters' emails to `address` are held back now, if they are."""
    return (
        Suppression.objects.in_force(timezone.now())
        .filter(address_hash=mailbox_hash(address))
        .first()
    )


def lift(address: str, user) -> bool:
    """Send to `address` again (a signature moderator's decision, logged with who and why it
    had been suppressed). Returns whether it was suppressed."""
    with transaction.atomic():
        entry = Suppression.objects.filter(address_hash=mailbox_hash(address)).first()
        if entry is None:
            return False
        log(
            instance=entry,
            action=log_actions.LIFT_SUPPRESSION,
            user=user,
            data={"reason": entry.reason, "since": entry.created_at.isoformat()},
        )
        entry.delete()
    return True


def bouncing_targets(targets) -> list:
    """Those of `targets` whose address hard-bounced."""
    hashes = {mailbox_hash(target.email) for target in targets if target.email}
    found = set(
        Suppression.objects.in_force(timezone.now())
        .filter(reason=Suppression.Reason.BOUNCED, address_hash__in=hashes)
        .values_list("address_hash", flat=True)
    )
    return [target for target in targets if target.email and mailbox_hash(target.email) in found]
