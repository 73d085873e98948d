"""Each campaign's counted actions, kept exact by PostgreSQL itself (migration 0021).

A trigger on the signature table adds or takes one whenever a row becomes or stops being
counted — an action taken, confirmed, approved, rejected, marked as spam, erased, or moved
to another campaign — in the same transaction as the change, so the sum cannot drift,
whichever code (or a moderator's bulk update, or raw SQL) changed the row. Reading a
campaign's count sums at most SHARDS rows: O(1), however many actions it has.

The trigger writes to the shard of its database connection (its server process id modulo
SHARDS), so concurrent actions on one campaign, each web process on its own connection,
seldom wait on the same row. Elsewhere than on PostgreSQL (development on SQLite) nothing
keeps these rows and the counter counts the signatures instead (`signatures.counter`).
"""

from django.db import models

#: The rows a campaign's count is spread over (the trigger's modulus, in migration 0021).
SHARDS = 16


class CampaignCount(models.Model):
    campaign_id = models.IntegerField()  # a source page's id; no key: rows outlive nothing
    shard = models.SmallIntegerField()
    counted = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign_id", "shard"], name="campaign_count_shard")
        ]

    def __str__(self):
        return f"campaign {self.campaign_id} shard {self.shard}: {self.counted}"
