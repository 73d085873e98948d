"""Double opt-in and the supporter's own emails (confirmation link, receipt).

A confirmation token is the signature's id signed with the site's secret and a timestamp
(django.core.signing): it cannot be guessed or altered, expires after CONFIRM_MAX_AGE, and
is single-use because confirming moves the signature out of PENDING, after which the same
token is refused. The link opens a page whose button confirms with a POST, so mail scanners
that fetch links confirm nothing.
"""

from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .. import counter
from ..abuse import ActionRefused
from ..models import Signature
from .delivery import message_id, one_line, sender_for
from .outbox import enqueue_on_commit

CONFIRM_SALT = "clarion.signatures.confirm"
CONFIRM_MAX_AGE = 7 * 24 * 60 * 60


def token_for(signature) -> str:
    return signing.dumps(signature.pk, salt=CONFIRM_SALT)


def pending_signature(token: str) -> Signature:
    """The signature a token would confirm; ActionRefused if the link cannot be used."""
    try:
        pk = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.SignatureExpired:
        raise ActionRefused(
            _("This confirmation link has expired. Please take the action again."), status=410
        ) from None
    except signing.BadSignature:
        raise ActionRefused(
            _("This confirmation link is not valid. Please copy the whole link from the email."),
            status=404,
        ) from None
    signature = Signature.objects.select_related("campaign").filter(pk=pk).first()
    if signature is None or signature.status != Signature.Status.PENDING:
        raise ActionRefused(_("This confirmation link has already been used."), status=410)
    return signature


def confirm(token: str) -> Signature:
    """Count a pending signature (once) and hand its deliveries to the workers."""
    from ..tasks import dispatch

    with transaction.atomic():
        pk = pending_signature(token).pk
        signature = Signature.objects.select_for_update().get(pk=pk)
        if signature.status != Signature.Status.PENDING:  # confirmed meanwhile
            raise ActionRefused(_("This confirmation link has already been used."), status=410)
        signature.status = Signature.Status.COUNTED
        signature.dispatched_at = None  # now its deliveries are due
        signature.save(update_fields=["status", "dispatched_at"])
        enqueue_on_commit(dispatch, signature.pk)
    counter.changed(signature.campaign_id)
    return signature


def send_confirmation(signature_id: int) -> None:
    signature = Signature.objects.select_related("campaign").get(pk=signature_id)
    if signature.status != Signature.Status.PENDING:
        return
    campaign = signature.campaign
    link = campaign.get_site().root_url + reverse("signatures:confirm", args=[token_for(signature)])
    _supporter_email(signature, "confirm", {"link": link}).send()


def send_receipt(signature_id: int) -> None:
    signature = Signature.objects.select_related("campaign").get(pk=signature_id)
    if signature.status != Signature.Status.COUNTED:
        return
    _supporter_email(signature, "receipt", {"targets": signature.campaign.targets}).send()


def _supporter_email(signature, kind: str, context: dict) -> EmailMessage:
    campaign = signature.campaign
    context = {"signature": signature, "campaign": campaign} | context
    sender = sender_for(campaign)
    return EmailMessage(
        subject=one_line(render_to_string(f"signatures/email/{kind}_subject.txt", context)),
        body=render_to_string(f"signatures/email/{kind}.txt", context),
        from_email=sender,
        to=[signature.email],
        headers={"Message-ID": message_id(kind, signature.pk, signature.created_at, sender)},
    )
