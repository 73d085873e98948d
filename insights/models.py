from django.db import models
from django.utils.translation import gettext_lazy as _


class PageViewDay(models.Model):
    """How many times a campaign's page was seen on one day, broken down one way.

    Written only by `insights.page_views.flush`, a minute's counts at a time, never per
    view. Each breakdown (`dimension`: source, utm_campaign, partner_site, language) adds up
    to the day's views; `value` is empty for "none" (a direct visit, no partner site). No
    row holds anything about a visitor.
    """

    campaign = models.ForeignKey(
        "campaigns.CampaignPage", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()
    dimension = models.CharField(max_length=20)
    value = models.CharField(max_length=253, blank=True)
    views = models.PositiveBigIntegerField(default=0)

    class Meta:
        db_table = "signatures_pageviewday"  # made by signatures, which counted views before
        verbose_name = _("page views on a day")
        verbose_name_plural = _("page views per day")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "dimension", "day", "value"], name="one_view_count_per_day"
            )
        ]

    def __str__(self):
        return f"{self.campaign_id} {self.day} {self.dimension}={self.value}: {self.views}"
