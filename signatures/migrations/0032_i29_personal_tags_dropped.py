"""Actions' utm tags stored before issue 29 (finding 6) that look like an email address or a
phone number are blanked, as such a tag is now dropped before it reaches a row (and so the
CRM, a moderator's screen or an export)."""

import re

from django.db import migrations
from django.db.models import Q

#: insights.sources' rule when this was written (a migration keeps its own copy).
PERSONAL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]{2,}|\+?(?:\d[\s().-]?){9,}")
TAGS = ("utm_source", "utm_medium", "utm_campaign")
BATCH = 1000


def drop(apps, schema_editor):
    Signature = apps.get_model("signatures", "Signature")
    maybe = Q()
    for tag in TAGS:
        maybe |= Q(**{f"{tag}__regex": r"[@0-9]"})
    found = {tag: [] for tag in TAGS}
    for pk, *values in Signature.objects.filter(maybe).values_list("pk", *TAGS).iterator():
        for tag, value in zip(TAGS, values, strict=True):
            if PERSONAL.search(value):
                found[tag].append(pk)
    for tag, pks in found.items():
        for start in range(0, len(pks), BATCH):
            Signature.objects.filter(pk__in=pks[start : start + BATCH]).update(**{tag: ""})


class Migration(migrations.Migration):
    dependencies = [("signatures", "0031_i31s_page_views_to_insights")]

    operations = [migrations.RunPython(drop, migrations.RunPython.noop, elidable=True)]
