"""Milestones: a campaign's count reaching a threshold its editors set.

One row per (campaign, threshold), claimed in the database: of any number of workers that
see the count cross it at once, exactly one inserts the row (the unique constraint makes
the others find it), and only that one owes the messages. Each message to a target, and
the staff's notice, is its own outbox entry (a mark of when it went), so a lost or killed
worker's message is sent again by the sweeper, and one already sent never is.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MilestoneCrossing(models.Model):
    campaign_id = models.IntegerField()  # the campaign's source page (every translation's)
    threshold = models.PositiveIntegerField()
    count = models.PositiveIntegerField(help_text=_("The count when it was seen crossed."))
    crossed_at = models.DateTimeField(default=timezone.now)
    # The staff's notice: when it went; owed while empty, the sweeper re-sending it after
    # `notice_due_at` (moved on each time, at the outbox's pace: outbox.next_look).
    staff_told_at = models.DateTimeField(null=True, blank=True)
    notice_due_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign_id", "threshold"], name="one_crossing_per_milestone"
            )
        ]
        indexes = [
            models.Index(
                fields=["notice_due_at"],
                condition=models.Q(staff_told_at__isnull=True),
                name="milestone_staff_owed",
            )
        ]

    def __str__(self):
        return f"campaign {self.campaign_id} reached {self.threshold}"


class MilestoneMessage(models.Model):
    """'N people have now written to you', owed to one target for one crossing."""

    crossing = models.ForeignKey(
        MilestoneCrossing, on_delete=models.CASCADE, related_name="messages"
    )
    target = models.ForeignKey("campaigns.Target", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)  # the sweeper's pace (outbox.next_look)
    due_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["crossing", "target"], name="one_message_per_target")
        ]
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=models.Q(sent_at__isnull=True),
                name="milestone_message_owed",
            )
        ]

    def __str__(self):
        return f"{self.crossing} → target {self.target_id}"
