"""Double opt-in and the supporter's own emails (confirmation link, receipt).

A confirmation token is the signature's id and link number signed with the site's secret
and a timestamp (django.core.signing): it cannot be guessed or altered, expires after
CONFIRM_MAX_AGE, and is single-use because confirming moves the signature out of PENDING,
after which the same token is refused. The link opens a page whose button confirms with a
POST, so mail scanners that fetch links confirm nothing.

A repeat while pending replaces the details and owes a fresh link (see signing.py): the
address's owner confirms the latest details, and earlier links, which showed other details,
stop working. Links to one address for one campaign are paced (LINKS_AT_ONCE,
LINK_INTERVAL) so that repeats cannot flood a mailbox; one held back is sent when the pace
allows (its `email_due_at`, for the sweeper).
"""

import logging
from datetime import timedelta

from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from .. import counter, task_names
from ..abuse import ActionRefused
from ..models import Signature
from . import mailer, send_guard, tracking
from .delivery import commit_without_waiting_for_disk, one_line, resend_headers, sender_for
from .outbox import enqueue_on_commit

logger = logging.getLogger(__name__)

CONFIRM_SALT = "clarion.signatures.confirm"
CONFIRM_MAX_AGE = 7 * 24 * 60 * 60
#: The statuses whose supporter is owed an email: the link while pending, then the receipt.
OWING_STATUSES = (Signature.Status.PENDING, Signature.Status.COUNTED)
#: Two links at once (the second, when the owner acts after someone else used their
#: address, is never held back), then one per LINK_INTERVAL: at most three in any hour.
LINKS_AT_ONCE = 2
LINK_INTERVAL = timedelta(minutes=30)


def token_for(signature) -> str:
    return signing.dumps([signature.pk, signature.link_version], salt=CONFIRM_SALT)


def pending_signature(token: str) -> Signature:
    """The signature a token would confirm; ActionRefused if the link cannot be used."""
    try:
        payload = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.SignatureExpired:
        raise ActionRefused(
            _("This confirmation link has expired. Please take the action again."), status=410
        ) from None
    except signing.BadSignature:
        raise ActionRefused(
            _("This confirmation link is not valid. Please copy the whole link from the email."),
            status=404,
        ) from None
    # A bare id: a link sent before links were numbered, the first of its signature.
    pk, version = payload if isinstance(payload, list) else (payload, 0)
    signature = Signature.objects.select_related("campaign").filter(pk=pk).first()
    _refuse_unless_usable(signature, version)
    return signature


def _refuse_unless_usable(signature, version: int) -> None:
    if signature is None or signature.status != Signature.Status.PENDING:
        raise ActionRefused(_("This confirmation link has already been used."), status=410)
    if signature.link_version != version:  # a repeat has sent a fresh link
        raise ActionRefused(
            _("This confirmation link has been replaced: please use the one in the latest email."),
            status=410,
        )


def confirm_signature(token: str) -> Signature:
    """Count a pending signature (once) and hand its deliveries to the workers."""
    with transaction.atomic():
        pending = pending_signature(token)
        signature = Signature.objects.select_for_update().get(pk=pending.pk)
        _refuse_unless_usable(signature, pending.link_version)  # confirmed or replaced meanwhile
        signature.status = Signature.Status.COUNTED
        signature.dispatched_at = None  # now its deliveries are due
        signature.save(update_fields=["status", "dispatched_at"])
        enqueue_on_commit(task_names.DISPATCH_SIGNATURE, signature.pk)
    counter.changed(signature.campaign_id)
    return signature


def send_confirmation(signature_id: int) -> None:
    """Email the confirmation link to a pending supporter, if it is still owed."""

    def link(signature):
        path = reverse("signatures:confirm", args=[token_for(signature)])
        return {"link": signature.page.get_site().root_url + path}

    _send_owed_email(signature_id, Signature.Status.PENDING, "confirm", link)


def send_receipt(signature_id: int) -> None:
    """Email a counted supporter the receipt, if the campaign sends one and it is owed."""
    _send_owed_email(
        signature_id,
        Signature.Status.COUNTED,
        "receipt",
        lambda signature: {"targets": receipt_targets(signature)},
    )


def receipt_targets(signature) -> list:
    """Who the supporter's letter went to: the campaign's targets, and their own
    representatives where the campaign writes to them (the delivery rows say which)."""
    campaign = signature.campaign
    if not campaign.writes_to_representatives:
        return campaign.targets
    return [delivery.target for delivery in signature.deliveries.select_related("target")]


def retry_supporter_email_later(signature_id: int, seconds: float) -> None:
    """Note when the task's retry is due, so the sweeper does not send a second one."""
    Signature.objects.filter(pk=signature_id, email_due_at__isnull=False).update(
        email_due_at=timezone.now() + timedelta(seconds=seconds)
    )


def give_up_supporter_email(signature_id: int, reason: str) -> None:
    # Only the reason's first words: the mail server's own text may quote the address.
    logger.warning(
        "supporter email for signature %s failed: %s", signature_id, reason.split(":", 1)[0]
    )
    Signature.objects.filter(pk=signature_id).update(email_due_at=None)


def _send_owed_email(signature_id: int, status, kind: str, context) -> None:
    """Send the supporter's `kind` email once, the way deliveries are sent (see delivery.py).

    The row stays locked while the server takes the message; the mark is cleared in the
    same transaction, committed right after the server's 250.
    """
    with send_guard.sending(), transaction.atomic():
        signature = (
            Signature.objects.select_for_update(of=("self",))
            .select_related("campaign")
            .filter(pk=signature_id, email_due_at__isnull=False)
            .first()
        )
        if signature is None:
            return  # sent already, or never owed
        if signature.status != status and signature.status in OWING_STATUSES:
            return  # confirmed meanwhile: the receipt is owed now, not this
        now = timezone.now()
        signature.email_due_at = None
        sending = signature.status == status and (
            kind != "receipt" or signature.campaign.send_receipt
        )
        if sending and tracking.is_suppressed(signature.email):
            # It bounced for good or its owner complained: never again.
            logger.info("supporter email for signature %s not sent: suppressed", signature.pk)
            sending = False
        if sending and kind == "receipt":
            signature.receipt_sent_at = now  # approved again, it is not sent again
        if sending and kind == "confirm":
            signature.email_due_at = _next_link_at(signature, now)  # None: it goes now
            sending = signature.email_due_at is None
        signature.save(update_fields=["email_due_at", "receipt_sent_at", "links_paced_until"])
        if sending:
            with translation.override(signature.page.language):
                message = supporter_email(signature, kind, context(signature))
            commit_without_waiting_for_disk()
            mailer.send(message)  # returns after the server's 250
        # Otherwise held back by the pace, rejected meanwhile, or receipts switched off.


def _next_link_at(signature, now):
    """None if a confirmation link may go now (it then takes its place in the pace), else
    when one may: links keep LINK_INTERVAL apart on average, LINKS_AT_ONCE allowed at once."""
    paced = max(signature.links_paced_until or now, now)
    may_go_at = paced - (LINKS_AT_ONCE - 1) * LINK_INTERVAL
    if may_go_at > now:
        return may_go_at
    signature.links_paced_until = paced + LINK_INTERVAL
    return None


def supporter_email(signature, kind: str, context: dict) -> EmailMessage:
    """The email to a supporter (`kind`: confirm or receipt), as sent and as previewed."""
    campaign = signature.page  # the translation acted on: its title, texts and language
    context = {"signature": signature, "campaign": campaign} | context
    sender = sender_for(campaign)
    message = EmailMessage(
        subject=one_line(render_to_string(f"signatures/email/{kind}_subject.txt", context)),
        body=render_to_string(f"signatures/email/{kind}.txt", context),
        from_email=sender,
        to=[signature.email],
        headers=resend_headers(kind, signature.pk, signature.created_at, sender),
    )
    message.metadata = tracking.metadata_for(kind, signature.pk)
    return message
