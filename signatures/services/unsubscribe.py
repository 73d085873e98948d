"""One-click unsubscribe from a campaign's updates (RFC 8058).

Each update email carries a link naming one signature (so one supporter and one campaign:
unsubscribing is per campaign, as the email says). The token shows no id: the signature's
id is sealed with a one-time pad (a keyed HMAC of a random nonce, so two links to the same
supporter differ), then signed with the site's secret and a timestamp (django.core.signing),
so it cannot be altered or made for another supporter, and expires after MAX_AGE. Opening
it (GET) only shows a button, for mail scanners fetch links; the button, and the mail
provider's one-click POST, unsubscribe at once.
"""

import secrets

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from ..abuse import ActionRefused
from ..models import Signature, UpdateOptOut, UpdateRecipient

SALT = "clarion.updates.unsubscribe"
#: A link in an old update keeps working this long (a supporter may open it much later).
MAX_AGE = 2 * 365 * 24 * 60 * 60
NONCE_BYTES = 8


def _pad(nonce: bytes) -> int:
    return int.from_bytes(salted_hmac(f"{SALT}.pad", nonce).digest()[:8], "big")


def token_for(signature_id: int) -> str:
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = signature_id ^ _pad(nonce)
    return signing.dumps(f"{nonce.hex()}{sealed:016x}", salt=SALT)


def link_for(signature, root_url: str | None = None) -> str:
    """The full address of the unsubscribe page, in the language of the page signed;
    `root_url`: that page's site's, if the caller has it already."""
    page = signature.page
    with translation.override(page.language):
        path = reverse("signatures:unsubscribe", args=[token_for(signature.pk)])
    return (root_url or page.get_site().root_url) + path


def signature_for(token: str) -> Signature:
    """The signature a link names; ActionRefused (4xx) if it cannot be used."""
    try:
        value = signing.loads(token, salt=SALT, max_age=MAX_AGE)
        nonce, sealed = bytes.fromhex(value[: 2 * NONCE_BYTES]), int(value[2 * NONCE_BYTES :], 16)
    except signing.SignatureExpired:
        raise ActionRefused(
            _("This link has expired. Please use the link in the latest update."), status=410
        ) from None
    except (signing.BadSignature, TypeError, ValueError):
        raise ActionRefused(
            _("This link is not valid. Please copy the whole link from the email."), status=404
        ) from None
    signature = Signature.objects.select_related("campaign").filter(pk=sealed ^ _pad(nonce)).first()
    if signature is None:
        raise ActionRefused(_("We hold nothing about you for this campaign any more."), status=410)
    return signature


def unsubscribe(token: str) -> Signature:
    """Stop this campaign's updates to the supporter at once, including any being sent."""
    signature = signature_for(token)
    with transaction.atomic():
        UpdateOptOut.objects.get_or_create(signature=signature)
        # A sender holding one of these rows has read it already: that one copy may still go.
        UpdateRecipient.objects.filter(
            signature=signature, state=UpdateRecipient.State.QUEUED
        ).update(state=UpdateRecipient.State.UNSUBSCRIBED)
    return signature


def is_unsubscribed(signature) -> bool:
    return UpdateOptOut.objects.filter(signature=signature).exists()
