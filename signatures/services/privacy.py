"""Data protection: the consent record, retention, erasure and subject access."""

import hashlib
import hmac
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from wagtail.log_actions import log

from insights import page_views
from signatures import log_actions

from ..emails import email_key, mailbox_key
from ..models import DataRequest, Delivery, ExportJob, Signature, WebhookDelivery
from . import export

logger = logging.getLogger(__name__)

# Kept on anonymised rows, so counts, statuses and statistics survive.
KEPT_FIELDS = {"status", "country", "consent_text"}


def consent_record(campaign, details: dict) -> dict:
    """The wording a supporter agreed to and when, for a new signature's row."""
    if not details.get("consent"):
        return {}
    return {"consent_text": str(campaign.consent_text), "consent_at": timezone.now()}


def address_hash(address: str) -> str:
    """A keyed hash of the normalised address: recognises an address without storing it."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, email_key(address).encode(), hashlib.sha256).hexdigest()


def mailbox_hash(address: str) -> str:
    """A keyed hash of that very mailbox (a +tag makes another, as in `mailbox_key`)."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, mailbox_key(address).encode(), hashlib.sha256).hexdigest()


def _personal_fields():
    """Every text field of a signature, new ones included, except those kept for counting.

    Names, addresses, letters, notes, IP address: text is where personal data lives.
    Timestamps and flags stay (the outbox and the statistics rely on them).
    """
    return [
        field
        for field in Signature._meta.concrete_fields
        if field.name not in KEPT_FIELDS
        and isinstance(field, models.CharField | models.TextField | models.GenericIPAddressField)
    ]


def _anonymous_values(field, token: str):
    if field.name == "email":
        return f"{token}@anonymised.invalid"
    if field.unique or field.name == "email_key":
        # Unique like a real value, so the constraints still hold.
        return f"anonymised:{token}"[: field.max_length]
    if field.null:
        return None
    return ""


#: Why a letter or CRM post pending at erasure was never sent.
WITHHELD = "Not sent: the supporter's details were erased."


def anonymise(signatures) -> tuple[int, int]:
    """Blank the personal data of these signatures and their deliveries, keeping statuses
    (so every count stays as it was).

    Returns (signatures, deliveries) anonymised. Rows already anonymised are skipped.
    """
    now = timezone.now()
    fields = _personal_fields()
    rows = list(signatures.filter(anonymised_at__isnull=True).select_for_update())
    for signature in rows:
        token = secrets.token_hex(16)
        for field in fields:
            setattr(signature, field.attname, _anonymous_values(field, token))
        signature.anonymised_at = now
    Signature.objects.bulk_update(
        rows, [field.name for field in fields] + ["anonymised_at"], batch_size=500
    )
    ids = [row.pk for row in rows]
    deliveries = Delivery.objects.filter(signature__in=ids).update(last_error="")
    # Letters and CRM posts not yet sent never will be: the details they carry are gone.
    Delivery.objects.filter(
        signature__in=ids, state__in=[Delivery.State.PENDING, Delivery.State.WITHHELD]
    ).update(state=Delivery.State.WITHHELD, last_error=WITHHELD)
    WebhookDelivery.objects.filter(signature__in=ids, state=WebhookDelivery.State.PENDING).update(
        state=WebhookDelivery.State.FAILED, last_error=WITHHELD
    )
    return len(rows), deliveries


def signatures_of(address: str):
    """Every signature given with this address or a variant of it, across all campaigns.

    Variants (user+tag@, different case) almost always reach the same mailbox: erasure
    forgets them all rather than keep someone's data.
    """
    return Signature.objects.filter(email_key=email_key(address))


def signatures_given_with(address: str) -> list[Signature]:
    """The signatures given with this very mailbox: what may be disclosed to its owner.

    Not its +tag variants: where the provider does not deliver those to the user, ana+x@
    is somebody else, and could have asked for ana@'s data.
    """
    rows = (
        signatures_of(address)
        .select_related("campaign")
        .prefetch_related("deliveries__target", "webhook_deliveries__endpoint")
    )
    mailbox = mailbox_key(address)
    return [row for row in rows if mailbox_key(row.email) == mailbox]


def erase_supporter(address: str, user) -> DataRequest:
    """Anonymise everything held about an address and keep a record of the request."""
    with transaction.atomic():
        signatures, deliveries = anonymise(signatures_of(address))
        if signatures:
            # Exports already written may hold the supporter: they go too (their owners
            # can export again). One still being written is left to finish and expire.
            export.purge(ExportJob.objects.filter(state=ExportJob.State.DONE))
        request = DataRequest.objects.create(
            kind=DataRequest.Kind.ERASURE,
            address_hash=address_hash(address),
            requested_by=user,
            signatures=signatures,
            deliveries=deliveries,
        )
        log(request, log_actions.ERASE_SUPPORTER, user=user, data={"signatures": signatures})
    logger.info("data request %s: %s signatures anonymised", request.pk, signatures)
    return request


def subject_access(address: str, user) -> dict:
    """Everything held about an address, as a JSON-ready document; the request is recorded."""
    rows = signatures_given_with(address)
    fields = [f for f in Signature._meta.concrete_fields if not f.is_relation]
    document = {
        "address": address,
        "generated_at": timezone.now(),
        "signatures": [
            {
                "campaign": signature.campaign.title,
                **{field.name: field.value_from_object(signature) for field in fields},
                "country": str(signature.country.name) if signature.country else "",
                "phone": str(signature.phone),
                "deliveries": [
                    {
                        "target": str(delivery.target),
                        "state": delivery.state,
                        "attempts": delivery.attempts,
                        "created_at": delivery.created_at,
                        "sent_at": delivery.sent_at,
                    }
                    for delivery in signature.deliveries.all()
                ],
                "sent_to_systems": [
                    {
                        "system": delivery.endpoint.name,
                        "state": delivery.state,
                        "created_at": delivery.created_at,
                        "delivered_at": delivery.delivered_at,
                    }
                    for delivery in signature.webhook_deliveries.all()
                ],
            }
            for signature in rows
        ],
    }
    with transaction.atomic():
        request = DataRequest.objects.create(
            kind=DataRequest.Kind.ACCESS,
            address_hash=address_hash(address),
            requested_by=user,
            signatures=len(document["signatures"]),
            deliveries=sum(len(entry["deliveries"]) for entry in document["signatures"]),
        )
        log(request, log_actions.SUBJECT_ACCESS, user=user, data={"signatures": request.signatures})
    return document


JSON_ENCODER = DjangoJSONEncoder


def retention_cutoff(now=None):
    months = settings.CLARION_RETENTION_MONTHS
    return (now or timezone.now()) - timedelta(days=round(months * 30.44))


def anonymise_expired(now=None, batch_size=1000) -> int:
    """Anonymise the signatures past their retention period: RETENTION_MONTHS after their
    campaign closed or, on a campaign with no closing date, after the action itself.

    Works in batches, each in its own transaction, so a large campaign never holds one long
    lock. Returns how many signatures were anonymised.
    """
    from campaigns.models import CampaignPage

    cutoff = retention_cutoff(now)
    campaigns = CampaignPage.objects.filter(
        models.Q(closes_at__lt=cutoff) | models.Q(closes_at__isnull=True)
    ).values_list("pk", "closes_at")
    total = 0
    for campaign_id, closes_at in campaigns:
        expired = Signature.objects.filter(campaign_id=campaign_id, anonymised_at__isnull=True)
        if closes_at is None:  # open-ended: each action is kept for the period, no longer
            expired = expired.filter(created_at__lt=cutoff)
        total += _anonymise_in_batches(expired, batch_size)
    if total:
        logger.info("retention: %s signatures anonymised", total)
    if folded := page_views.forget_tags(cutoff.date()):
        logger.info("retention: %s tagged view counts folded", folded)
    return total


def _anonymise_in_batches(signatures, batch_size) -> int:
    """Anonymise `signatures` a batch at a time, in order, each batch after the last one's
    ids (so no batch reads again the rows done before it)."""
    total, after = 0, 0
    while True:
        with transaction.atomic():
            ids = list(
                signatures.filter(pk__gt=after)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            done, _ = anonymise(Signature.objects.filter(pk__in=ids))
        total += done
        if len(ids) < batch_size:
            return total
        after = ids[-1]
