"""Targets' answers to a campaign: written through the private link in their letters, or
recorded by staff when one came by post or phone.

A reply is a draft until a moderator publishes it (Wagtail's draft state and revisions, so
the snippet editor's Publish button and its history apply); only published replies appear
on the campaign page and in the API. It carries nothing about any supporter.
"""

import uuid
from pathlib import Path

from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import DraftStateMixin, RevisionMixin

#: The documents a target may attach: what offices send, nothing a browser runs.
DOCUMENT_EXTENSIONS = ["pdf", "odt", "doc", "docx", "txt", "png", "jpg", "jpeg"]
#: The largest document a target may attach.
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024


def document_path(reply, filename: str) -> str:
    """A name nobody can guess (a draft's document must not be found before it is
    published), keeping only the extension of the uploaded name."""
    return f"replies/{uuid.uuid4().hex}{Path(filename).suffix.lower()[:6]}"


class TargetReply(DraftStateMixin, RevisionMixin, models.Model):
    class Channel(models.TextChoices):
        LINK = "link", _("through the link in the letters")
        EMAIL = "email", _("by email")
        POST = "post", _("by post")
        PHONE = "phone", _("by phone")

    campaign = models.ForeignKey(
        "campaigns.CampaignPage",
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="target_replies",
        help_text=_("The campaign's page in any language: its answers show in all of them."),
    )
    target = models.ForeignKey(
        "campaigns.Target",
        verbose_name=_("target"),
        on_delete=models.PROTECT,
        related_name="replies",
    )
    body = models.TextField(_("answer"), max_length=20_000)
    document = models.FileField(
        _("document"),
        upload_to=document_path,
        blank=True,
        validators=[FileExtensionValidator(DOCUMENT_EXTENSIONS)],
        help_text=_("Optional: a letter or statement (PDF, document or picture, up to 10 MB)."),
    )
    channel = models.CharField(
        _("received"), max_length=10, choices=Channel.choices, default=Channel.POST
    )
    received_at = models.DateTimeField(
        _("received on"), default=timezone.now, help_text=_("Shown with the answer.")
    )

    panels = [
        FieldPanel("campaign"),
        FieldPanel("target"),
        FieldPanel("channel"),
        FieldPanel("received_at"),
        FieldPanel("body"),
        FieldPanel("document"),
    ]

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("target's answer")
        verbose_name_plural = _("targets' answers")
        indexes = [models.Index(fields=["campaign", "live"], name="reply_campaign_live")]

    def __str__(self):
        return f"{self.target} ({self.received_at:%Y-%m-%d})"
