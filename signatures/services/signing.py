"""Taking a supporter's action."""

from django.db import transaction

from .. import counter
from ..emails import email_key
from ..models import Delivery, Signature
from .privacy import consent_record


class ActionRefused(Exception):
    """An action that will not be taken, with the message to show the supporter.

    `status` is the HTTP status to answer with (403 closed, 429 too many, 400 otherwise);
    `retry_after` is in seconds, for 429.
    """

    def __init__(self, message, status=400, retry_after=None):
        super().__init__(message)
        self.message, self.status, self.retry_after = message, status, retry_after


def sign(campaign, details: dict, *, client_ip: str | None = None) -> tuple[Signature, bool]:
    """Record a supporter's action once; enqueue its emails after commit.

    Returns the signature and whether it is new. A repeat returns the existing row and
    changes nothing, so callers can answer both the same way.
    """
    from ..tasks import deliver

    if refusal := campaign.refusal_message():  # closed, or not open yet
        raise ActionRefused(refusal, status=403)
    with transaction.atomic():
        signature, created = Signature.objects.get_or_create(
            campaign=campaign,
            email_key=email_key(details["email"]),
            defaults=details | consent_record(campaign, details) | {"ip_address": client_ip},
        )
        if created:
            for target in campaign.targets:
                delivery = Delivery.objects.create(signature=signature, target=target)
                deliver.delay_on_commit(delivery.pk)
    if created:
        counter.forget(campaign.pk)
    return signature, created
