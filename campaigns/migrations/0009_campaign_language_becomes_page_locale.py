"""Each campaign's `language` becomes its page's Wagtail locale (issue 18).

Campaigns were written in one language each, a field of their own. With Wagtail's
internationalisation on, a page's language is its locale, and a campaign in several
languages is one page per locale sharing a translation_key. Every existing campaign keeps
its language (a locale is created for a language that has none yet), keeps its own
translation_key, and so stays a campaign of its own: nothing is merged or lost. Going back
writes each page's locale into `language` again.
"""

from django.db import migrations


def language_to_locale(apps, schema_editor):
    CampaignPage = apps.get_model("campaigns", "CampaignPage")
    Locale = apps.get_model("wagtailcore", "Locale")
    Page = apps.get_model("wagtailcore", "Page")
    for language in CampaignPage.objects.values_list("language", flat=True).distinct():
        locale, _created = Locale.objects.get_or_create(language_code=language)
        ids = CampaignPage.objects.filter(language=language).values_list("pk", flat=True)
        Page.objects.filter(pk__in=list(ids)).update(locale=locale)


def locale_to_language(apps, schema_editor):
    CampaignPage = apps.get_model("campaigns", "CampaignPage")
    for campaign in CampaignPage.objects.select_related("locale"):
        CampaignPage.objects.filter(pk=campaign.pk).update(
            language=campaign.locale.language_code
        )


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0008_video_youtube_vimeo_only"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.RunPython(language_to_locale, locale_to_language),
        migrations.RemoveField(model_name="campaignpage", name="language"),
    ]
