"""Taking a supporter's action."""

from django.db import transaction

from .. import counter
from ..emails import email_key
from ..models import Delivery, Signature


def sign(campaign, details: dict) -> tuple[Signature, bool]:
    """Record a supporter's action once; enqueue its emails after commit.

    Returns the signature and whether it is new. A repeat returns the existing row and
    changes nothing, so callers can answer both the same way.
    """
    from ..tasks import deliver

    with transaction.atomic():
        signature, created = Signature.objects.get_or_create(
            campaign=campaign, email_key=email_key(details["email"]), defaults=details
        )
        if created:
            for target in campaign.targets:
                delivery = Delivery.objects.create(signature=signature, target=target)
                deliver.delay_on_commit(delivery.pk)
    if created:
        counter.forget(campaign.pk)
    return signature, created
