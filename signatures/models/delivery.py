from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .signature import Signature


class Delivery(models.Model):
    """The outbox: one email from one signature to one target, with its state."""

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        # Not to be sent while its signature does not count (a moderator's decision, undone
        # by approving it again), nor ever once its supporter is erased.
        WITHHELD = "withheld", _("withheld")

    class Outcome(models.TextChoices):
        DELIVERED = "delivered", _("delivered")
        BOUNCED = "bounced", _("bounced")
        COMPLAINED = "complained", _("complained (marked as spam)")
        REJECTED = "rejected", _("rejected by the provider")

    # Both indexed by what leads with them (Meta): the unique pair, and the digest's index.
    signature = models.ForeignKey(
        Signature, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    target = models.ForeignKey(
        "campaigns.Target", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When a worker is expected to try next (now, after a retry's back-off, or after the
    # target's throttle window); the sweeper re-enqueues pending rows well past it.
    due_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # What the email provider reported after accepting it (tracking webhooks); empty with
    # plain SMTP, which reports nothing back.
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    outcome_reason = models.TextField(blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)

    # Not content: keep Wagtail's reference index (a SELECT and an INSERT per save) away
    # from the hot path.
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["signature", "target"], name="one_delivery_per_target")
        ]
        indexes = [
            models.Index(fields=["state", "created_at"], name="delivery_state_created"),
            models.Index(
                fields=["due_at"],
                condition=models.Q(state="pending"),
                name="delivery_pending_due",
            ),
            # The digest's query: a target's deliveries, the last one sent to it.
            models.Index(fields=["target", "state", "sent_at"], name="delivery_target_state"),
        ]

    def __str__(self):
        return f"Delivery {self.pk} ({self.state})"
