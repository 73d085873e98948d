import base64
import secrets

from django.core.cache import cache
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel

from .signature import Signature

#: The active endpoints, cached for every counted action to read; dropped on any change.
ENDPOINTS_CACHE_KEY = "clarion:webhook-endpoints"
#: Those that also take the letters' delivery events.
LETTER_ENDPOINTS_CACHE_KEY = "clarion:webhook-endpoints:letters"


#: Standard Webhooks' form of a signing secret: this prefix, then the key in base64.
SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


class WebhookEndpoint(models.Model):
    """A URL of the organisation's CRM that receives each counted action of one site."""

    site = models.ForeignKey(
        "wagtailcore.Site", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    name = models.CharField(_("name"), max_length=100, help_text=_('e.g. "CRM sync"'))
    url = models.URLField(
        _("URL"), max_length=500, help_text=_("Use https:// so supporters' details travel safely.")
    )
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        default=new_secret,
        help_text=_(
            "The receiver verifies each POST with this secret and any Standard Webhooks "
            "library (headers webhook-id, webhook-timestamp and webhook-signature)."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    letter_events = models.BooleanField(
        _("letters' delivery too"),
        default=False,
        help_text=_(
            "Also POST what becomes of each letter to a target: accepted by the mail server, "
            "delivered, bounced, marked as spam, failed (no supporter's details in them)."
        ),
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("site"),
        FieldPanel("url"),
        FieldPanel("secret"),
        FieldPanel("is_active"),
        FieldPanel("letter_events"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        cache.delete_many([ENDPOINTS_CACHE_KEY, LETTER_ENDPOINTS_CACHE_KEY])

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        cache.delete_many([ENDPOINTS_CACHE_KEY, LETTER_ENDPOINTS_CACHE_KEY])
        return result


class WebhookDelivery(models.Model):
    """The delivery log: one POST of one counted action to one endpoint, with its outcome.

    It keeps no copy of the supporter's details: the body is built from the signature when
    it is sent, so erasing the supporter leaves nothing here, and a POST still pending then
    is never sent (privacy.anonymise).
    """

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    signature = models.ForeignKey(
        Signature, on_delete=models.CASCADE, related_name="webhook_deliveries"
    )
    # For a letter's event (letter.accepted, letter.delivered …): which letter; else empty.
    letter = models.ForeignKey(
        "signatures.Delivery",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # the unique (letter, endpoint, event) index leads with it
    )
    event = models.CharField(_("event"), max_length=40, default="signature.counted")
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    response_status = models.PositiveSmallIntegerField(_("last HTTP status"), null=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    # When a worker is expected to try (now, or after a retry's back-off); the sweeper
    # queues pending rows well past it again.
    due_at = models.DateTimeField(default=timezone.now, editable=False)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "signature", "event"],
                condition=models.Q(letter__isnull=True),
                name="one_webhook_per_event",
            ),
            models.UniqueConstraint(
                fields=["letter", "endpoint", "event"],
                condition=models.Q(letter__isnull=False),
                name="one_webhook_per_letter_event",
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_at"], condition=models.Q(state="pending"), name="webhook_pending_due"
            )
        ]

    def __str__(self):
        return f"{self.event} #{self.signature_id} → {self.endpoint} ({self.state})"
