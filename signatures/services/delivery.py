"""Delivering each action's email to its targets, once.

Exactly once, as far as SMTP allows: the delivery row is locked and already marked 'sent'
(uncommitted) when its message is handed to the mail server, and the transaction commits
as soon as the server replies 250. A worker killed at any moment either sent nothing (the
transaction rolls back, the row stays pending and is retried) or sent and recorded it, but
for the instant between the server's acceptance and the commit reaching PostgreSQL. A
pool process whose worker is killed finishes that instant first (see send_guard.py); a
letter sent again after a kill of the process itself carries the same Message-ID, so it
can be recognised.
"""

import logging
import time
from datetime import timedelta
from email.utils import formataddr, formatdate, parseaddr

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db import connection, models, transaction
from django.utils import timezone, translation

from campaigns.letters import letter_for
from cms.base.models import OrganisationSettings

from ..abuse import count_in_window
from ..emails import ascii_domain
from ..models import Delivery
from . import mailer, replies, send_guard, tracking, webhooks

logger = logging.getLogger(__name__)


def compose_letter(delivery: Delivery) -> EmailMessage:
    """The email a target receives for one action: from the organisation, Reply-To the supporter."""
    signature = delivery.signature
    campaign = signature.page  # the letter as written in the translation acted on
    sender = sender_for(campaign)
    with translation.override(campaign.language):  # the supporter's country, named in it
        subject, body = letter_for(signature, campaign, delivery.target, signed_by(signature))
        body += "\n"
        # A delivery never saved is an editor's preview: its link opens nothing.
        if invitation := replies.invitation(campaign, delivery.target, delivery.pk is None):
            body = f"{body}\n--\n{invitation}\n"
    message = EmailMessage(
        subject=one_line(subject),
        body=body,
        from_email=sender,
        to=[mailbox(str(delivery.target), delivery.target.email)],
        reply_to=[mailbox(signature.full_name, signature.email)],
        headers=resend_headers("delivery", delivery.pk, delivery.created_at, sender),
    )
    message.metadata = tracking.metadata_for(tracking.DELIVERY, delivery.pk)
    return message


def deliver_letter(delivery_id: int) -> float | None:
    """Send one delivery's email unless it has been sent already.

    Returns None when done (or nothing was left to do), or the seconds to wait when the
    target's throttle is full. A failure is recorded on the row, then re-raised for the
    task to retry.
    """
    try:
        with send_guard.sending(), transaction.atomic():
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
            if refusal := undeliverable(delivery.target):
                delivery.state = Delivery.State.FAILED
                delivery.last_error = refusal
                delivery.save(update_fields=["state", "last_error"])
                webhooks.announce_letters([delivery.pk], webhooks.LETTER_FAILED)
                return None
            wait = take_throttle_slot(delivery.target)
            if wait:
                delivery.due_at = timezone.now() + timedelta(seconds=wait)
                delivery.save(update_fields=["due_at"])
                return wait
            message = compose_letter(delivery)
            # Written now, committed only if the server accepts: after its 250 nothing is
            # left to do but COMMIT. If sending fails, the exception rolls this back.
            delivery.state = Delivery.State.SENT
            delivery.sent_at = timezone.now()
            delivery.attempts += 1
            delivery.last_error = ""
            delivery.save(update_fields=["state", "sent_at", "attempts", "last_error"])
            webhooks.announce_letters([delivery.pk], webhooks.LETTER_ACCEPTED)
            commit_without_waiting_for_disk()
            mailer.send(message)  # returns after the server's 250
        return None
    except Exception as error:
        record_failure(Delivery.objects.filter(pk=delivery_id), error)
        logger.warning("delivery %s failed: %s", delivery_id, type(error).__name__)
        raise


def undeliverable(target) -> str | None:
    """Why no letter may go to this target now, or None.

    Its row holds its approved details; one unpublished since the letter was owed is no
    longer approved, and a letter must not go to an address nobody with the right stands by.
    """
    if not target.live:
        return "The target is unpublished: it receives letters once published again."
    if not target.email:
        return "The target has no email address."
    return None


def commit_without_waiting_for_disk() -> None:
    """Let this transaction's COMMIT return before PostgreSQL has flushed it to disk.

    It shortens the moment between the server's 250 and our record to one round trip. A
    killed worker loses nothing by it (the WAL is PostgreSQL's, not the worker's); only a
    crash of PostgreSQL itself within a fraction of a second could forget the 'sent' state,
    and then the letter goes again with the same Message-ID.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def retry_letter_later(delivery_id: int, seconds: float) -> None:
    """Note when the task's retry is due, so the sweeper does not send a second one."""
    Delivery.objects.filter(pk=delivery_id, state=Delivery.State.PENDING).update(
        due_at=timezone.now() + timedelta(seconds=seconds)
    )


def give_up_letter(delivery_id: int, reason: str) -> None:
    """Give up on a delivery, keeping the reason for admins."""
    with transaction.atomic():
        given_up = Delivery.objects.filter(pk=delivery_id, state=Delivery.State.PENDING).update(
            state=Delivery.State.FAILED, last_error=reason[:1000]
        )
        if given_up:
            webhooks.announce_letters([delivery_id], webhooks.LETTER_FAILED)


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


#: How long a worker keeps an organisation's sender before reading it again.
SENDER_SECONDS = 60


def sender_for(campaign) -> str:
    """The From address for a campaign's emails: its site's organisation.

    Cached for a minute: finding it takes three queries, a worker sends thousands of
    emails for the same few campaigns, and a new address may take a minute to apply.
    """
    key = f"clarion:sender:{campaign.pk}"
    sender = cache.get(key)
    if sender is None:
        organisation = OrganisationSettings.for_site(campaign.get_site())
        address = organisation.from_email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
        sender = mailbox(organisation.name, address)
        cache.set(key, sender, SENDER_SECONDS)
    return sender


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


def resend_headers(kind: str, pk: int, created_at, sender: str) -> dict:
    """Message-ID and Date fixed by the row, so that every attempt sends the same message."""
    return {
        "Message-ID": message_id(kind, pk, created_at, sender),
        "Date": formatdate(created_at.timestamp()),
    }


def mailbox(name: str, address: str) -> str:
    """`Name <address>` for a header. An international domain (exämple.org) goes in its
    ASCII form, which every mail server takes: formataddr refuses it as it is."""
    local, _, domain = address.rpartition("@")
    return formataddr((one_line(name), f"{local}@{ascii_domain(domain)}"))


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
