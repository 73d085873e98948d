"""Each action records the language of the campaign's page it was taken on (issue 18).

Actions on every translation of a campaign are recorded against its source page; this
column tells them apart. Existing actions were all taken on their campaign's own page, so
they take its language (its locale, since campaigns' migration
campaign_language_becomes_page_locale).
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_from_campaign_locale(apps, schema_editor):
    Signature = apps.get_model("signatures", "Signature")
    Page = apps.get_model("wagtailcore", "Page")
    language = Page.objects.filter(pk=OuterRef("campaign_id")).values("locale__language_code")
    Signature.objects.update(page_language=Subquery(language[:1]))


class Migration(migrations.Migration):
    dependencies = [
        ("signatures", "0020_phone_e164"),
        ("campaigns", "0009_campaign_language_becomes_page_locale"),
    ]

    operations = [
        migrations.AddField(
            model_name="signature",
            name="page_language",
            field=models.CharField(
                blank=True,
                editable=False,
                help_text="The language of the campaign's page the action was taken on.",
                max_length=12,
                verbose_name="page language",
            ),
        ),
        migrations.RunPython(fill_from_campaign_locale, migrations.RunPython.noop),
    ]
