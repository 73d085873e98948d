"""Delivering each action's email to its targets, once.

Exactly once, as far as SMTP allows: the delivery row is locked while its message is handed
to the mail server, and the 'sent' state is committed right after the server's 250 reply,
before the connection is closed, so a worker killed at any moment either sent nothing (the
row stays pending and is retried) or sent and recorded it, but for the few microseconds
between the reply and the commit.
"""

import logging
import time
from datetime import timedelta
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import models, transaction
from django.utils import timezone

from campaigns.letters import letter_for
from cms.models import OrganisationSettings

from ..abuse import count_in_window
from ..models import Delivery

logger = logging.getLogger(__name__)


def compose(delivery: Delivery) -> EmailMessage:
    """The email a target receives for one action: from the organisation, Reply-To the supporter."""
    signature = delivery.signature
    campaign = signature.campaign.specific
    sender = sender_for(campaign)
    subject, body = letter_for(signature, campaign)
    return EmailMessage(
        subject=one_line(subject),
        body=f"{body}\n\n{signed_by(signature)}\n",
        from_email=sender,
        to=[formataddr((one_line(str(delivery.target)), delivery.target.email))],
        reply_to=[formataddr((one_line(signature.full_name), signature.email))],
        headers={"Message-ID": message_id("delivery", delivery.pk, delivery.created_at, sender)},
    )


def deliver(delivery_id: int) -> float | None:
    """Send one delivery's email unless it has been sent already.

    Returns None when done (or nothing was left to do), or the seconds to wait when the
    target's throttle is full. A failure is recorded on the row, then re-raised for the
    task to retry.
    """
    connection = None
    try:
        with transaction.atomic():
            delivery = (
                Delivery.objects.select_for_update(of=("self",))
                .select_related("signature__campaign", "target")
                .filter(pk=delivery_id)
                .first()
            )
            if delivery is None or delivery.state != Delivery.State.PENDING:
                return None
            if delivery.signature.campaign.digest_minutes:
                return None  # the campaign's digest carries it
            if not delivery.target.email:
                delivery.state = Delivery.State.FAILED
                delivery.last_error = "The target has no email address."
                delivery.save(update_fields=["state", "last_error"])
                return None
            wait = take_throttle_slot(delivery.target)
            if wait:
                delivery.due_at = timezone.now() + timedelta(seconds=wait)
                delivery.save(update_fields=["due_at"])
                return wait
            message = compose(delivery)
            connection = get_connection()
            connection.open()
            connection.send_messages([message])  # returns after the server's 250
            delivery.state = Delivery.State.SENT
            delivery.sent_at = timezone.now()
            delivery.attempts += 1
            delivery.last_error = ""
            delivery.save(update_fields=["state", "sent_at", "attempts", "last_error"])
        return None
    except Exception as error:
        record_failure(Delivery.objects.filter(pk=delivery_id), error)
        logger.warning("delivery %s failed: %s", delivery_id, type(error).__name__)
        raise
    finally:
        close_quietly(connection)  # after the commit: QUIT is not part of the window


def retry_later(delivery_id: int, seconds: float) -> None:
    """Note when the task's retry is due, so the sweeper does not send a second one."""
    Delivery.objects.filter(pk=delivery_id, state=Delivery.State.PENDING).update(
        due_at=timezone.now() + timedelta(seconds=seconds)
    )


def fail(delivery_id: int, reason: str) -> None:
    """Give up on a delivery, keeping the reason for admins."""
    Delivery.objects.filter(pk=delivery_id, state=Delivery.State.PENDING).update(
        state=Delivery.State.FAILED, last_error=reason[:1000]
    )


# Throttling ---------------------------------------------------------------------------


def throttle_for(target) -> int:
    """Emails per minute this target accepts: its own setting, else the site's default."""
    return getattr(target, "max_per_minute", None) or settings.CLARION_TARGET_MAX_PER_MINUTE


def take_throttle_slot(target) -> float | None:
    """Count one email to `target` in this minute; None if allowed, else seconds to wait."""
    limit = throttle_for(target)
    if not limit:
        return None
    now = time.time()
    minute = int(now // 60)
    if count_in_window(f"clarion:throttle:{target.pk}:{minute}", 61) <= limit:
        return None
    return (minute + 1) * 60 - now + 0.5


# Shared by the emails this app sends ----------------------------------------------------


def sender_for(campaign) -> str:
    organisation = OrganisationSettings.for_site(campaign.get_site())
    address = organisation.from_email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return formataddr((one_line(organisation.name), address))


def signed_by(signature) -> str:
    place = ", ".join(
        part
        for part in (signature.postal_code, signature.country.name if signature.country else "")
        if part
    )
    return "\n".join(part for part in (one_line(signature.full_name), place) if part)


def message_id(kind: str, pk: int, created_at, sender: str) -> str:
    """A Message-ID that is the same on every attempt, so a resend can be recognised."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    return f"<clarion.{kind}.{pk}.{int(created_at.timestamp())}@{domain}>"


def one_line(text: str) -> str:
    """Text fit for a header: line breaks and control characters become spaces."""
    return " ".join("".join(c if ord(c) >= 32 else " " for c in str(text)).split())


def record_failure(deliveries, error: Exception) -> None:
    deliveries.filter(state=Delivery.State.PENDING).update(
        attempts=models.F("attempts") + 1, last_error=f"{type(error).__name__}: {error}"[:1000]
    )


def close_quietly(connection) -> None:
    if connection is None:
        return
    try:
        connection.close()
    except Exception as error:  # the message is already accepted and recorded
        logger.info("closing the mail connection failed: %s", type(error).__name__)
