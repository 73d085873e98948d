"""Each existing campaign's `language` becomes its page's locale; nothing is merged or lost,
and each existing action records its campaign's language (issue 18)."""

import pytest
from wagtail.models import Locale

from campaigns.models import CampaignPage
from signatures.models import Signature
from tests.factories import CampaignPageFactory

BEFORE = [("campaigns", "0008_video_youtube_vimeo_only"), ("signatures", "0020_phone_e164")]
AFTER = [
    ("campaigns", "0009_campaign_language_becomes_page_locale"),
    ("signatures", "0021_signature_page_language"),
]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_each_campaigns_language_becomes_its_locale_and_its_actions_keep_it(site, migrate_to):
    english = CampaignPageFactory(parent=site.root_page, title="Water")
    french = CampaignPageFactory(parent=site.root_page, title="Eau")
    old_apps = migrate_to(BEFORE)
    OldCampaign = old_apps.get_model("campaigns", "CampaignPage")
    OldCampaign.objects.filter(pk=french.pk).update(language="fr")
    old_apps.get_model("signatures", "Signature").objects.create(
        campaign_id=french.pk, first_name="Jean", last_name="Dupont", email="j@example.org"
    )

    migrate_to(AFTER)
    migrate_to()  # then the later ones too, for today's models to read the rows

    assert CampaignPage.objects.get(pk=english.pk).language == "en"
    assert CampaignPage.objects.get(pk=french.pk).language == "fr"
    assert Locale.objects.filter(language_code="fr").exists()
    # Still two campaigns of their own, each with its own count and duplicate check.
    assert CampaignPage.objects.get(pk=french.pk).counter_source.pk == french.pk
    assert CampaignPage.objects.get(pk=english.pk).translation_key != (
        CampaignPage.objects.get(pk=french.pk).translation_key
    )
    assert Signature.objects.get().page_language == "fr"
