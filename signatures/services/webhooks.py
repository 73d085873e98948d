"""Telling the organisation's CRM about each counted action: signed JSON POSTs, logged.

`announce(signature_ids)` runs inside the transaction that makes signatures count and only
records which endpoints are owed a POST; a Celery task sends each after commit
(`deliver_webhook`), retrying with backoff. Each log row is an outbox entry like a letter's
(`due_at`, see outbox.py): `sweep_webhooks` re-queues those the broker never received or
lost. Each POST is signed in the Standard Webhooks format (`signed_headers`), so a CRM
verifies it with a ready-made library, and its webhook-id (the same on every attempt) lets
the CRM ignore a POST it has already processed.
"""

import json
import logging
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from standardwebhooks import Webhook

from cms.base import surge

from .. import safe_http, supporter_fields, task_names
from ..models import Delivery, Signature, WebhookDelivery, WebhookEndpoint
from ..models.webhooks import ENDPOINTS_CACHE_KEY, LETTER_ENDPOINTS_CACHE_KEY, SECRET_PREFIX
from . import outbox, send_guard
from .delivery_report import without_addresses

logger = logging.getLogger(__name__)

EVENT_COUNTED = "signature.counted"
#: What became of a letter to a target, for endpoints that take them (`letter_events`).
LETTER_ACCEPTED = "letter.accepted"  # by the mail server
LETTER_DELIVERED = "letter.delivered"  # as the provider reported
LETTER_BOUNCED = "letter.bounced"
LETTER_COMPLAINED = "letter.complained"
LETTER_FAILED = "letter.failed"  # given up
TIMEOUT_SECONDS = 10
USER_AGENT = "Clarion-Webhooks/1"
#: With a cache shared by all processes (Redis) a change shows at once; with per-process
#: memory, within this many seconds.
ENDPOINTS_CACHE_SECONDS = 60


class WebhookFailed(Exception):
    """A POST that did not get a 2xx answer; the task tries again later."""


def signed_headers(secret: str, message_id: str, body: bytes, now) -> dict:
    """The Standard Webhooks headers: the message's id, the time, and the signature (HMAC-
    SHA256 of "<id>.<time>.<body>"). A `whsec_` secret is a base64 key, as the standard has
    it; a secret without the prefix is used as its own bytes."""
    key = Webhook(secret if secret.startswith(SECRET_PREFIX) else secret.encode())
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": key.sign(message_id, now, body.decode()),
    }


def _active_endpoints() -> list[tuple[int, str]]:
    """(endpoint id, its site's root path) for every active endpoint; cached, as every
    counted action asks and endpoints rarely change."""
    endpoints = cache.get(ENDPOINTS_CACHE_KEY)
    if endpoints is None:
        endpoints = list(
            WebhookEndpoint.objects.filter(is_active=True).values_list(
                "pk", "site__root_page__path"
            )
        )
        cache.set(ENDPOINTS_CACHE_KEY, endpoints, ENDPOINTS_CACHE_SECONDS)
    return endpoints


def endpoints_changed() -> None:
    cache.delete_many([ENDPOINTS_CACHE_KEY, LETTER_ENDPOINTS_CACHE_KEY])


def _letter_endpoints() -> list[tuple[int, str]]:
    """Like _active_endpoints, those that take the letters' events."""
    endpoints = cache.get(LETTER_ENDPOINTS_CACHE_KEY)
    if endpoints is None:
        endpoints = list(
            WebhookEndpoint.objects.filter(is_active=True, letter_events=True).values_list(
                "pk", "site__root_page__path"
            )
        )
        cache.set(LETTER_ENDPOINTS_CACHE_KEY, endpoints, ENDPOINTS_CACHE_SECONDS)
    return endpoints


def announce_letters(letter_ids, event: str) -> None:
    """Owe each endpoint that takes letters' events one POST about each of these letters.

    Called inside the transaction that changed them (sent, reported, given up); queued once
    it commits; an event already owed for a letter is not owed twice. Never fails the
    caller, like `announce`. Costs one cache read when no endpoint takes them.
    """
    try:
        endpoints = _letter_endpoints()
        if not endpoints:
            return
        ids = list(letter_ids)
        owed = [
            WebhookDelivery(
                endpoint_id=endpoint_id, signature_id=signature_id, letter_id=letter_id, event=event
            )
            for letter_id, signature_id, path in Delivery.objects.filter(pk__in=ids).values_list(
                "pk", "signature_id", "signature__campaign__path"
            )
            for endpoint_id, root in endpoints
            if path.startswith(root)
        ]
        if not owed:
            return
        with transaction.atomic():
            WebhookDelivery.objects.bulk_create(owed, ignore_conflicts=True)
            due = WebhookDelivery.objects.filter(
                letter_id__in=ids, event=event, state=WebhookDelivery.State.PENDING, attempts=0
            ).values_list("pk", flat=True)
            for delivery_id in due:
                outbox.enqueue_on_commit(task_names.DELIVER_WEBHOOK, delivery_id)
    except Exception:
        logger.exception("could not queue letter events for deliveries %s", letter_ids)


def announce(signature_ids, event: str = EVENT_COUNTED) -> None:
    """Owe each active endpoint of a campaign's site one POST about each of these signatures.

    Call it, inside the transaction that makes them count, with their ids; the POSTs are
    queued once it commits. Announcing a signature again changes nothing. Never fails the
    caller: a problem here is logged, and the action or moderation stands.
    """
    try:
        endpoints = _active_endpoints()
        if not endpoints:
            return
        ids = list(signature_ids)
        owed = [
            WebhookDelivery(endpoint_id=endpoint_id, signature_id=signature_id, event=event)
            for signature_id, path in Signature.objects.filter(pk__in=ids).values_list(
                "pk", "campaign__path"
            )
            for endpoint_id, root in endpoints
            if path.startswith(root)
        ]
        if not owed:
            return
        with transaction.atomic():  # a savepoint: a failure here leaves the caller's work intact
            WebhookDelivery.objects.bulk_create(owed, ignore_conflicts=True)
            if surge.active():  # owed, and sent by the sweeper once the surge has passed
                return
            due = WebhookDelivery.objects.filter(
                signature_id__in=ids, event=event, state=WebhookDelivery.State.PENDING, attempts=0
            ).values_list("pk", flat=True)
            for delivery_id in due:
                outbox.enqueue_on_commit(task_names.DELIVER_WEBHOOK, delivery_id)
    except Exception:
        logger.exception("could not queue webhooks for signatures %s", signature_ids)


def sweep_webhooks(now=None) -> int:
    """Queue again the deliveries that a dead broker, a lost retry or a surge (cms.base.surge, while
    it lasts) left pending."""
    if surge.active():
        return 0
    now = now or timezone.now()
    overdue = WebhookDelivery.objects.filter(
        state=WebhookDelivery.State.PENDING, due_at__lt=now - outbox.GRACE
    )
    return outbox.resend(overdue, task_names.DELIVER_WEBHOOK, "due_at", now)


def retry_webhook_later(delivery_id: int, seconds: float) -> None:
    """Note when the task's retry is due, so the sweeper does not send a second one."""
    WebhookDelivery.objects.filter(pk=delivery_id, state=WebhookDelivery.State.PENDING).update(
        due_at=timezone.now() + timedelta(seconds=seconds)
    )


def letter_payload(delivery: WebhookDelivery) -> dict:
    """A letter's event: the letter's state and the target, never the supporter's details
    (the signature's id lets the CRM match the action it was told of)."""
    letter, campaign = delivery.letter, delivery.signature.campaign
    target = letter.target
    return {
        "event": delivery.event,
        "delivery": delivery.pk,
        "letter": {
            "id": letter.pk,
            "state": letter.state,
            "outcome": letter.outcome,
            "reason": without_addresses(
                letter.outcome_reason or letter.last_error, keep=target.email
            ),
            "sent_at": letter.sent_at.isoformat() if letter.sent_at else None,
            "outcome_at": letter.outcome_at.isoformat() if letter.outcome_at else None,
        },
        "target": {"id": target.pk, "name": str(target)},
        "signature": {"id": delivery.signature_id},
        "campaign": {"id": campaign.pk, "title": campaign.title, "url": campaign.full_url},
    }


def payload(delivery: WebhookDelivery) -> dict:
    if delivery.letter_id:
        return letter_payload(delivery)
    signature, campaign = delivery.signature, delivery.signature.campaign
    supporter = {
        # A country's code and a phone number in E.164, as text.
        name: str(getattr(signature, name))
        if name in ("country", "phone")
        else getattr(signature, name)
        for name in supporter_fields.CONTACT  # not what they wrote: that is for the targets
    }
    supporter["consent"] = {
        "given": signature.consent,
        "text": signature.consent_text,
        "at": signature.consent_at.isoformat() if signature.consent_at else None,
    }
    return {
        "event": delivery.event,
        "delivery": delivery.pk,
        "signature": {"id": signature.pk, "signed_at": signature.created_at.isoformat()},
        "campaign": {"id": campaign.pk, "title": campaign.title, "url": campaign.full_url},
        "supporter": supporter,
        "source": {name: getattr(signature, name) for name in supporter_fields.SOURCE},
    }


def deliver_webhook(delivery_id: int) -> None:
    """POST one delivery unless it is done; record the outcome; raise WebhookFailed to retry."""
    delivery = (
        WebhookDelivery.objects.select_related("endpoint", "signature__campaign", "letter__target")
        .filter(pk=delivery_id, state=WebhookDelivery.State.PENDING)
        .first()
    )
    if delivery is None:
        return  # delivered already, given up, or erased with its supporter
    body = json.dumps(payload(delivery), separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Clarion-Event": delivery.event,
        **signed_headers(delivery.endpoint.secret, str(delivery.pk), body, timezone.now()),
    }
    status, error = None, ""
    with send_guard.sending():  # a POST the CRM took is recorded, even if the worker dies
        try:  # to a checked public https address only, no redirects (see safe_http)
            status = safe_http.post(delivery.endpoint.url, body, headers, TIMEOUT_SECONDS)
        except safe_http.Failure as failure:  # its category, never the remote's words
            status, error = failure.status, str(failure)
        _record(delivery, status, error)
    if error:
        logger.warning("webhook delivery %s failed: %s", delivery.pk, error[:200])
        raise WebhookFailed(error)


def _record(delivery: WebhookDelivery, status: int | None, error: str) -> None:
    delivery.attempts += 1
    delivery.response_status = status
    delivery.last_error = error[:1000]
    fields = ["attempts", "response_status", "last_error"]
    if not error:
        delivery.state, delivery.delivered_at = WebhookDelivery.State.DELIVERED, timezone.now()
        fields += ["state", "delivered_at"]
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        **{field: getattr(delivery, field) for field in fields}
    )


def give_up_webhook(delivery_id: int, reason: str) -> None:
    WebhookDelivery.objects.filter(pk=delivery_id, state=WebhookDelivery.State.PENDING).update(
        state=WebhookDelivery.State.FAILED, last_error=reason[:1000]
    )
