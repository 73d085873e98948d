"""Updates to a campaign's supporters: a staff update or a target's published answer, emailed
once to each supporter who agreed to hear back.

A staff update is a draft until someone who may publish updates publishes it (Wagtail's
draft state, as targets' answers). Publishing one, or an answer, makes its mailing; the
mailing's recipients are rows, one per (mailing, signature), each its own outbox entry: a
row is sent once, in the transaction that marks it sent (see services/updates.py).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import DraftStateMixin, RevisionMixin

from .replies import TargetReply
from .signature import Signature


class CampaignUpdate(DraftStateMixin, RevisionMixin, models.Model):
    campaign = models.ForeignKey(
        "campaigns.CampaignPage",
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="supporter_updates",
        help_text=_("Sent to the supporters of every language of this campaign who agreed."),
    )
    subject = models.CharField(_("subject"), max_length=150)
    body = models.TextField(_("text"), max_length=20_000)
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [FieldPanel("campaign"), FieldPanel("subject"), FieldPanel("body")]

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("update to supporters")
        verbose_name_plural = _("updates to supporters")

    def __str__(self):
        return self.subject


class UpdateMailing(models.Model):
    """Sending one update (or one published answer) to a campaign's consenting supporters."""

    class State(models.TextChoices):
        QUEUING = "queuing", _("queuing")
        SENDING = "sending", _("sending")
        PAUSED = "paused", _("paused")
        DONE = "done", _("done")

    campaign = models.ForeignKey(
        "campaigns.CampaignPage", on_delete=models.CASCADE, related_name="+"
    )  # the source page: its signatures are every translation's
    # One mailing per update or answer, ever: publishing it again sends nothing more.
    update = models.OneToOneField(
        CampaignUpdate, null=True, blank=True, on_delete=models.CASCADE, related_name="mailing"
    )
    reply = models.OneToOneField(
        TargetReply, null=True, blank=True, on_delete=models.CASCADE, related_name="mailing"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUING)
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    # The outbox mark: while queuing or sending, when the sweeper may enqueue its task again
    # (each batch moves it on, so a mailing being sent is left alone).
    due_at = models.DateTimeField(default=timezone.now)
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=models.Q(state__in=["queuing", "sending"]),
                name="update_mailing_owed",
            )
        ]

    def __str__(self):
        return f"Mailing {self.pk} ({self.state})"


class UpdateRecipient(models.Model):
    """One supporter's copy of one mailing: queued until sent (or skipped, or failed)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        UNSUBSCRIBED = "unsubscribed", _("skipped: unsubscribed")
        SUPPRESSED = "suppressed", _("skipped: address suppressed")
        WITHDRAWN = "withdrawn", _("skipped: erased or no longer counted")

    mailing = models.ForeignKey(UpdateMailing, on_delete=models.CASCADE, related_name="recipients")
    signature = models.ForeignKey(Signature, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=12, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)

    wagtail_reference_index_ignore = True

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mailing", "signature"], name="one_update_per_supporter"
            )
        ]
        indexes = [
            # The senders' claim: the next queued row, in order, skipping those being sent.
            models.Index(
                fields=["mailing", "id"],
                condition=models.Q(state="queued"),
                name="update_recipient_queued",
            )
        ]

    def __str__(self):
        return f"Recipient {self.pk} of mailing {self.mailing_id} ({self.state})"


class UpdateOptOut(models.Model):
    """A supporter who unsubscribed from a campaign's updates (their signature is per
    campaign: other campaigns they supported still write to them)."""

    signature = models.OneToOneField(Signature, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Opt-out of signature {self.signature_id}"
