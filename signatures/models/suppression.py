from django.db import models
from django.utils.translation import gettext_lazy as _


class SuppressionQuerySet(models.QuerySet):
    def in_force(self, now):
        """Entries that still hold: a complaint until lifted, a bounce until it expires."""
        return self.filter(models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now))


class Suppression(models.Model):
    """A mailbox that bounced or complained: supporters' emails are not sent to it again, for
    a while (a bounce: CLARION_BOUNCE_SUPPRESSION_DAYS) or until a signature moderator lifts
    it (a complaint). Kept as a keyed hash of that very mailbox (services.privacy.mailbox_hash:
    `ana+news@` is not `ana@`), never as the address."""

    class Reason(models.TextChoices):
        BOUNCED = "bounced", _("bounced")
        COMPLAINED = "complained", _("complained")

    address_hash = models.CharField(max_length=64, unique=True)
    reason = models.CharField(max_length=10, choices=Reason.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    objects = SuppressionQuerySet.as_manager()

    class Meta:
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppressed addresses")

    def __str__(self):
        return f"Suppression {self.pk} ({self.reason})"
