"""Tags stored before issue 29 (finding 6) dropped a tag that looks like personal data only
from then on: the migrations take those already kept out of the daily view counts (folded
into "(other)", the day's views kept) and blank them in actions' rows."""

from datetime import date

import pytest

from insights.models import PageViewDay
from signatures.models import Signature

BEFORE = [
    ("insights", "0001_i31s_page_views_from_signatures"),
    ("signatures", "0031_i31s_page_views_to_insights"),
]
AFTER = [
    ("insights", "0002_i29_personal_tags_folded"),
    ("signatures", "0032_i29_personal_tags_dropped"),
]
DAY = date(2026, 3, 1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_tags_kept_before_that_look_like_personal_data_are_taken_out(migrate_to, water):
    counts = {
        ("utm_campaign", "spring-2026-03-01"): 7,  # a date: kept
        ("utm_campaign", "ana.okonjo@example.org"): 3,
        ("utm_campaign", "+351 912 345 678"): 2,
        ("utm_campaign", "(other)"): 1,
        ("source", "newsletter / email"): 5,
        ("source", "newsletter / ana.okonjo@example.org"): 4,
        ("language", "fr"): 22,
    }
    for (dimension, value), views in counts.items():
        PageViewDay.objects.create(
            campaign=water, day=DAY, dimension=dimension, value=value, views=views
        )
    signature = Signature.objects.create(
        campaign=water,
        email="ana@example.org",
        email_key="ana@example.org",
        utm_source="newsletter",
        utm_medium="mail to ana.okonjo@example.org",
        utm_campaign="912345678",
    )
    migrate_to(BEFORE)

    migrate_to(AFTER)

    kept = dict(
        ((row.dimension, row.value), row.views)
        for row in PageViewDay.objects.filter(campaign=water, day=DAY)
    )
    assert kept == {
        ("utm_campaign", "spring-2026-03-01"): 7,
        ("utm_campaign", "(other)"): 1 + 3 + 2,
        ("source", "newsletter / email"): 5,
        ("source", "(other)"): 4,
        ("language", "fr"): 22,
    }
    # Only the fields this migration knows: later migrations' columns are not there yet.
    tags = Signature.objects.filter(pk=signature.pk).values_list(
        "utm_source", "utm_medium", "utm_campaign"
    )
    assert tags.get() == ("newsletter", "", "")
