"""Tags counted before issue 29 (finding 6) that look like an email address or a phone
number are folded into "(other)" in the daily view counts, as such a tag is now dropped
before it is counted: the statistics editors see never show one. The day's views stay.

The "source" breakdown also holds referring sites' domains, which are not checked so: a
domain made of nine digits or more (an IP address) is folded too, which loses only which
site it was."""

import re
from collections import Counter

from django.db import migrations
from django.db.models import F

#: insights.sources' rule when this was written (a migration keeps its own copy).
PERSONAL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]{2,}|\+?(?:\d[\s().-]?){9,}")
TAGGED = ("source", "utm_campaign")
OTHER = "(other)"
BATCH = 1000


def fold(apps, schema_editor):
    PageViewDay = apps.get_model("insights", "PageViewDay")
    candidates = PageViewDay.objects.filter(dimension__in=TAGGED, value__regex=r"[@0-9]")
    personal = [
        (pk, (campaign_id, day, dimension), views)
        for pk, campaign_id, day, dimension, value, views in candidates.values_list(
            "pk", "campaign_id", "day", "dimension", "value", "views"
        ).iterator()
        if PERSONAL.search(value)
    ]
    totals = Counter()
    for _pk, group, views in personal:
        totals[group] += views
    for start in range(0, len(personal), BATCH):
        PageViewDay.objects.filter(
            pk__in=[pk for pk, *_ in personal[start : start + BATCH]]
        ).delete()
    for (campaign_id, day, dimension), views in totals.items():
        row = {"campaign_id": campaign_id, "day": day, "dimension": dimension, "value": OTHER}
        if not PageViewDay.objects.filter(**row).update(views=F("views") + views):
            PageViewDay.objects.create(**row, views=views)


class Migration(migrations.Migration):
    dependencies = [("insights", "0001_i31s_page_views_from_signatures")]

    operations = [migrations.RunPython(fold, migrations.RunPython.noop, elidable=True)]
