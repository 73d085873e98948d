"""What a campaign's emails look like, written for a made-up supporter: for the editor's
preview of the letter to a target, the confirmation email and the receipt.

Nothing is saved or sent: the supporter, their action and its delivery exist only here.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import Target
from campaigns.models.page import awaiting_approval_note

from ..models import Delivery, Signature
from .confirmation import supporter_email
from .delivery import compose_letter
from .digest import compose_digest


@dataclass
class EmailPreview:
    message: object  # the EmailMessage, as it would be sent
    supporter: Signature  # whose made-up details fill it in
    #: Why this email is not sent at the moment, if it is not (the campaign's settings).
    not_sent: str = ""
    #: Which of the campaign's targets await approval, said by every preview alike.
    awaiting_approval: str = ""


def sample_signature(campaign) -> Signature:
    """A supporter's action with made-up details, in the form the campaign asks for."""
    asks = {
        setting: getattr(campaign, f"{setting}_field") != "hidden"
        for setting in ("country", "postal_code", "phone")
    }
    return Signature(
        campaign=campaign,
        first_name=str(_("Alex")),
        last_name=str(_("Sample")),
        email="alex.sample@example.org",
        country="GB" if asks["country"] else "",
        postal_code="SW1A 1AA" if asks["postal_code"] else "",
        phone="+44 20 7946 0000" if asks["phone"] else "",
        personal_note=str(_("(The supporter's personal note, if they write one, goes here.)"))
        if campaign.personal_note_limit
        else "",
        created_at=timezone.now(),
    )


def preview(campaign, mode: str) -> EmailPreview:
    """The email of `mode` (one of CampaignPage.EMAIL_PREVIEW_MODES) for the sample supporter.

    Like the page's preview, each shows the campaign's targets awaiting approval among its
    targets (as approving the campaign would publish them), and says they await it."""
    targets, awaiting = campaign.targets_as_previewed()
    email = _email(campaign, mode, targets)
    email.awaiting_approval = awaiting_approval_note(awaiting)
    return email


def _email(campaign, mode, targets) -> EmailPreview:
    signature = sample_signature(campaign)
    if mode == "letter":
        return _letter(campaign, signature, targets)
    if mode == "confirmation-email":
        link = campaign.get_site().root_url + reverse("signatures:confirm", args=["…"])
        return EmailPreview(
            supporter_email(signature, "confirm", {"link": link}),
            signature,
            ""
            if campaign.confirmation_required
            else _("Not sent: this campaign does not ask supporters to confirm by email."),
        )
    if mode == "receipt":
        return EmailPreview(
            supporter_email(signature, "receipt", {"targets": targets}),
            signature,
            ""
            if campaign.send_receipt
            else _("Not sent: this campaign does not email supporters a receipt."),
        )
    raise ValueError(mode)


def _letter(campaign, signature, targets) -> EmailPreview:
    # The campaign's first target (approved, or awaiting approval as its draft stands); else
    # one of the directory's representatives, for a campaign that writes to them; else a
    # made-up one, for a campaign that has none yet.
    representatives = []
    if campaign.writes_to_representatives and campaign.directory_id:
        representatives = list(campaign.directory.representatives.filter(live=True)[:1])
    made_up = Target(salutation=_("The Hon."), name=_("A target"), email="target@example.org")
    target = (targets or representatives or [made_up])[0]
    delivery = Delivery(signature=signature, target=target, created_at=signature.created_at)
    if campaign.digest_minutes:
        return EmailPreview(compose_digest(campaign, target, [delivery]), signature)
    return EmailPreview(compose_letter(delivery), signature)
