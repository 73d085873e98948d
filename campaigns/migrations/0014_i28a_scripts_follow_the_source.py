"""A campaign's scripts follow its source page in every translation (issue 28, finding 1).

Before, wagtail-localize offered a page's scripts as words to translate, so a translation
may hold scripts its source does not. Each translation now gets its source's (the first
page of its translation group, as CampaignPage.counter_source), and the translation
editor's segments for scripts go: the next sync would drop them, this drops them now.
Going back restores nothing: the scripts written through a translation are not wanted.
"""

from django.db import migrations

SCRIPT_FIELDS = ("head_scripts", "body_scripts")


def scripts_follow_the_source(apps, schema_editor):
    CampaignPage = apps.get_model("campaigns", "CampaignPage")
    sources = {}
    for page in CampaignPage.objects.order_by("pk").only("pk", "translation_key", *SCRIPT_FIELDS):
        source = sources.setdefault(page.translation_key, page)
        if source.pk != page.pk and any(
            getattr(page, name) != getattr(source, name) for name in SCRIPT_FIELDS
        ):
            CampaignPage.objects.filter(pk=page.pk).update(
                **{name: getattr(source, name) for name in SCRIPT_FIELDS}
            )
    StringSegment = apps.get_model("wagtail_localize", "StringSegment")
    ContentType = apps.get_model("contenttypes", "ContentType")
    campaign_type = ContentType.objects.filter(app_label="campaigns", model="campaignpage")
    StringSegment.objects.filter(
        context__path__in=SCRIPT_FIELDS, source__specific_content_type__in=campaign_type
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0013_i34_story_block_labels_capitalised"),
        ("wagtail_localize", "0016_rename_page_revision_translationlog_revision"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(scripts_follow_the_source, migrations.RunPython.noop)]
