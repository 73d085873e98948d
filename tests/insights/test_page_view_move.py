"""The daily page-view rows counted before insights existed are insights' rows now: the
model moved in Django's state only, with its table, rows and foreign key."""

from datetime import date

import pytest

from insights.models import PageViewDay
from tests.factories import CampaignPageFactory

BEFORE = [("signatures", "0029_i33_milestones")]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_rows_counted_under_signatures_are_read_by_insights(migrate_to, site):
    campaign = CampaignPageFactory(parent=site.root_page)
    old_apps = migrate_to(BEFORE)
    old_model = old_apps.get_model("signatures", "PageViewDay")
    old_model.objects.create(
        campaign_id=campaign.pk, day=date(2026, 3, 3), dimension="source", value="", views=7
    )

    migrate_to()

    [row] = PageViewDay.objects.filter(campaign=campaign)
    assert (row.day, row.dimension, row.views) == (date(2026, 3, 3), "source", 7)
    assert row.campaign == campaign  # the foreign key, as insights' model sees it
