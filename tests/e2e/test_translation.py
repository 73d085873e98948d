"""A campaign in several languages, in the browser (issue 18): an editor translates the
demo campaign into Spanish with wagtail-localize in the admin and publishes it; a supporter
signs the Spanish page, and the one counter counts it on every translation. Also takes the
README's screenshot of the language switcher (docs/screenshots/language-switcher.png; see
test_demo_page.py for regenerating screenshots)."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from campaigns.models import CampaignPage
from signatures.models import Signature

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,  # the admin's concurrent requests lock SQLite's test database
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.e2e.media_urls"),
]

PASSWORD = "a long editor password"


@pytest.fixture
def machine_translation(settings):
    """wagtail-localize's dummy translator (it reverses each text's words): the editor's
    "Translate with" button fills every segment without a translation service."""
    settings.WAGTAILLOCALIZE_MACHINE_TRANSLATOR = {
        "CLASS": "wagtail_localize.machine_translators.dummy.DummyTranslator",
        "OPTIONS": {},
    }


def test_an_editor_translates_the_demo_into_spanish_and_a_supporter_signs_it(
    live_server, demo_campaign, machine_translation, browser_page
):
    get_user_model().objects.create_superuser("editor", "editor@staff.example", PASSWORD)
    page, base = browser_page, live_server.url
    page.set_default_timeout(60_000)
    page.goto(base + "/admin/login/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/admin/")

    # The organisation starts publishing in Spanish: Settings → Locales → Add a locale.
    page.goto(base + "/admin/locales/new/")
    page.locator("#id_language_code").select_option("es")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(base + "/admin/locales/")
    # Translate: the page's "Translate" action, Spanish ticked.
    page.goto(f"{base}/admin/localize/submit/page/{demo_campaign.pk}/")
    page.get_by_label("Spanish").check()
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url("**/admin/pages/*/edit/")
    # wagtail-localize's editor: every segment translated at once, then published.
    page.get_by_role("button", name="Translate with Dummy translator").click()
    expect(page.get_by_role("button", name="Publish in Spanish")).to_be_visible()
    page.get_by_role("button", name="Publish in Spanish").click()
    page.wait_for_url("**/admin/pages/**")

    spanish = CampaignPage.objects.live().get(locale__language_code="es")
    assert spanish.translation_key == demo_campaign.translation_key
    assert spanish.url.startswith("/es/")

    # A supporter signs the Spanish page: its form in Spanish, the one counter.
    page.context.clear_cookies()
    page.goto(base + spanish.url)
    expect(page.locator("html")).to_have_attribute("lang", "es")
    english_link = page.locator('.languages a[hreflang="en"]')
    expect(english_link).to_have_text("English")
    page.locator("[name=first_name]").fill("Lucía")
    page.locator("[name=last_name]").fill("Fernández")
    page.locator("[name=email]").fill("lucia@example.org")
    page.locator(".sign-form [type=submit]").click()
    page.wait_for_url("**/thank-you/")
    assert "/es/" in page.url

    signature = Signature.objects.get()
    assert (signature.campaign_id, signature.page_language) == (demo_campaign.pk, "es")
    for translation in CampaignPage.objects.filter(translation_key=spanish.translation_key):
        assert translation.action_count() == 743  # the demo's offset of 742, and Lucía


def test_the_switcher_leads_from_the_french_demo_to_the_english_one(
    live_server, demo_campaign, browser_page, screenshots
):
    french = CampaignPage.objects.get(locale__language_code="fr")
    page = browser_page
    page.goto(live_server.url + french.url)

    # The French page names its switcher in French.
    switcher = page.get_by_role("navigation", name="Cette campagne dans d'autres langues")
    expect(switcher).to_be_visible()
    # The banner of the French page, with the link to the English one.
    page.locator("header.banner").screenshot(path=screenshots / "language-switcher.png")
    switcher.get_by_role("link", name="English").click()
    page.wait_for_url(live_server.url + demo_campaign.url)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator('.languages a[hreflang="fr"]')).to_have_text("français")
