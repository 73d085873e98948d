from django.db import models
from django.utils.translation import gettext_lazy as _


class Suppression(models.Model):
    """An address that hard-bounced or complained: supporters' emails are never sent to it
    again. Kept as a keyed hash (services.privacy.address_hash), never as the address."""

    class Reason(models.TextChoices):
        BOUNCED = "bounced", _("bounced")
        COMPLAINED = "complained", _("complained")

    address_hash = models.CharField(max_length=64, unique=True)
    reason = models.CharField(max_length=10, choices=Reason.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppressed addresses")

    def __str__(self):
        return f"Suppression {self.pk} ({self.reason})"
