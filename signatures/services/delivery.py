"""Delivering each action's email to its targets: the outbox."""

import logging
from email.utils import formataddr, make_msgid

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import models, transaction
from django.utils import timezone

from campaigns.letters import letter_for
from cms.models import OrganisationSettings

from ..models import Delivery

logger = logging.getLogger(__name__)


def compose(delivery: Delivery) -> EmailMessage:
    """The email a target receives for one action."""
    signature = delivery.signature
    campaign = signature.campaign.specific
    organisation = OrganisationSettings.for_site(campaign.get_site())
    sender = formataddr(
        (organisation.name, organisation.from_email or _address(settings.DEFAULT_FROM_EMAIL))
    )
    place = ", ".join(
        part
        for part in (signature.postal_code, signature.country.name if signature.country else "")
        if part
    )
    signed = "\n".join(part for part in (signature.full_name, place) if part)
    subject, body = letter_for(signature, campaign)
    return EmailMessage(
        subject=_one_line(subject),
        body=f"{body}\n\n{signed}\n",
        from_email=sender,
        to=[formataddr((str(delivery.target), delivery.target.email))],
        reply_to=[formataddr((_one_line(signature.full_name), signature.email))],
        headers={"Message-ID": make_msgid(f"delivery-{delivery.pk}", domain=_domain(sender))},
    )


def deliver(delivery_id: int) -> None:
    """Send one delivery's email unless it has been sent already.

    The row stays locked while the message is handed to the mail server, so two workers
    running the same task cannot both send it. A failure is recorded, then re-raised for
    the task to retry.
    """
    try:
        with transaction.atomic():
            delivery = (
                Delivery.objects.select_for_update()
                .select_related("signature", "target")
                .get(pk=delivery_id)
            )
            if delivery.state != Delivery.State.PENDING:
                return
            compose(delivery).send()
            delivery.state = Delivery.State.SENT
            delivery.sent_at = timezone.now()
            delivery.attempts += 1
            delivery.last_error = ""
            delivery.save(update_fields=["state", "sent_at", "attempts", "last_error"])
    except Exception as error:
        Delivery.objects.filter(pk=delivery_id, state=Delivery.State.PENDING).update(
            attempts=models.F("attempts") + 1, last_error=f"{type(error).__name__}: {error}"[:1000]
        )
        logger.warning("delivery %s failed: %s", delivery_id, type(error).__name__)
        raise


def fail(delivery_id: int, reason: str) -> None:
    """Give up on a delivery, keeping the reason for admins."""
    Delivery.objects.filter(pk=delivery_id, state=Delivery.State.PENDING).update(
        state=Delivery.State.FAILED, last_error=reason[:1000]
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _address(value: str) -> str:
    from email.utils import parseaddr

    return parseaddr(value)[1]


def _domain(sender: str) -> str:
    return _address(sender).rpartition("@")[2] or "localhost"
