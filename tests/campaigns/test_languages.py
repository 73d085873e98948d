"""Each campaign speaks its own language: its page, form, messages, emails and API answers,
whatever the visitor's browser prefers; right-to-left languages read right to left."""

import json

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from signatures.services import signing
from tests.factories import SUPPORTER as DETAILS
from tests.factories import CampaignPageFactory, translate

pytestmark = pytest.mark.django_db


def test_an_arabic_campaign_reads_right_to_left_in_arabic(client, site):
    campaign = CampaignPageFactory(parent=site.root_page, language="ar", counter_offset=12)

    html = client.get(campaign.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert '<html lang="ar" dir="rtl">' in html
    assert "الاسم الأول" in html  # "First name"
    assert "First name" not in html


@pytest.mark.parametrize(
    ("language", "browser", "label"), [("fr", "en", "Prénom"), ("en", "fr", "First name")]
)
def test_the_campaigns_language_wins_over_the_browsers(client, site, language, browser, label):
    campaign = CampaignPageFactory(parent=site.root_page, language=language)

    html = client.get(campaign.url, HTTP_ACCEPT_LANGUAGE=browser).content.decode()

    assert f'<html lang="{language}" dir="ltr">' in html
    assert label in html


def test_a_refused_action_is_told_in_the_campaigns_language(client, site):
    campaign = CampaignPageFactory(parent=site.root_page, language="fr")

    response = client.post(
        reverse("signatures:sign", args=[campaign.pk]),
        DETAILS | {"email": ""},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert '<html lang="fr"' in html
    assert "Champ requis." in html  # "This field is required.", as Wagtail words it


def test_the_supporters_emails_are_in_the_campaigns_language_whoever_sends_them(
    site, django_capture_on_commit_callbacks
):
    campaign = CampaignPageFactory(
        parent=site.root_page, language="es", confirmation_required=True, title="Agua limpia"
    )

    # A worker, or a request in another language.
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        signing.record_signature(campaign, DETAILS)

    [message] = mail.outbox
    assert message.subject == "Confirme su acción: Agua limpia"


def test_the_api_gives_the_campaigns_language_direction_and_wording(client, site):
    campaign = CampaignPageFactory(parent=site.root_page, language="ar")

    data = client.get(f"/api/v3/campaigns/{campaign.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()

    assert (data["meta"]["language"], data["meta"]["direction"]) == ("ar", "rtl")
    assert data["action"]["form"]["texts"]["counter"] == "عدد المشاركات حتى الآن: {count}"
    refused = client.post(
        f"/api/v3/campaigns/{campaign.pk}/signatures/",
        json.dumps(DETAILS | {"first_name": 5}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert refused.json()["errors"][0]["msg"] == "يُرجى إرسال هذا الحقل نصًّا."


def test_a_new_campaign_is_in_its_sections_language_and_only_configured_ones_are_offered(
    settings, site
):
    """A campaign's language is its page's locale, which Wagtail takes from the section it
    is created in; the locales editors may create are the configured languages."""
    from wagtail.coreutils import get_content_languages

    campaign = CampaignPageFactory(parent=site.root_page)

    assert campaign.language == campaign.locale.language_code == settings.LANGUAGE_CODE == "en"
    assert campaign.locale == site.root_page.locale
    assert list(get_content_languages()) == [code for code, _ in settings.LANGUAGES]


def test_every_model_names_its_plural_for_translators():
    """Else Django adds an "s" to the translated singular: "exportacións"."""
    from django.apps import apps

    from signatures.models import ExportJob

    models = [
        model
        for label in ("campaigns", "cms", "signatures")
        for model in apps.get_app_config(label).get_models()
        if "verbose_name" in model._meta.original_attrs  # named for people, in their language
    ]
    assert [m.__name__ for m in models if "verbose_name_plural" not in m._meta.original_attrs] == []
    with translation.override("es"):
        assert str(ExportJob._meta.verbose_name_plural) == "exportaciones"


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("fr", ["Agir maintenant", "Vous pouvez la modifier.", "{first_name} est remplacé"]),
        ("es", ["Actúe ahora", "Puede modificarla.", "{first_name} se sustituye"]),
        ("ar", ["شاركوا الآن", "يمكنكم تعديلها.", "تُستبدل {first_name}"]),
    ],
)
def test_the_way_back_to_the_form_and_the_letters_help_are_translated(
    client, site, language, words
):
    campaign = CampaignPageFactory(
        parent=site.root_page, language=language, message_body="Je suis {first_name}."
    )
    html = client.get(campaign.url).content.decode()
    for word in words:
        assert word in html


def test_an_action_to_confirm_is_told_what_to_do_in_the_campaigns_language(client, site):
    campaign = CampaignPageFactory(parent=site.root_page, language="es", confirmation_required=True)
    html = client.get(campaign.url + "thank-you/").content.decode()
    assert "Un paso más: confirme su acción" in html


def test_countries_are_named_and_sorted_in_the_campaigns_language_on_the_page_and_the_api(
    client, site
):
    """Issue 28, finding 6: the list stayed in English, in English order, on French pages."""
    english = CampaignPageFactory(parent=site.root_page, country_field="optional")
    french = translate(english, "fr", title="Eau", slug="eau")

    for page, germany, order in (
        (french, "Allemagne", ["Afrique du Sud", "Albanie", "Allemagne"]),
        (english, "Germany", ["Albania", "Germany", "South Africa"]),
        (french, "Allemagne", ["Afrique du Sud", "Albanie", "Allemagne"]),  # once more, cached
    ):
        html = client.get(page.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        select = html[html.index('<select name="country"') :]
        select = select[: select.index("</select>")]
        assert f'<option value="DE">{germany}</option>' in select
        assert [select.index(f">{name}<") for name in order] == sorted(
            select.index(f">{name}<") for name in order
        )

        api = client.get(f"/api/v3/campaigns/{page.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
        [field] = [f for f in api["action"]["form"]["fields"] if f["name"] == "country"]
        labels = [choice["label"] for choice in field["choices"]]
        assert {"value": "DE", "label": germany} in field["choices"]
        assert [labels.index(name) for name in order] == sorted(
            labels.index(name) for name in order
        )
