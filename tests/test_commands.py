import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from wagtail.models import Site

from campaigns.models import CampaignPage
from signatures.models import Signature
from tests.factories import SUPPORTER

pytestmark = pytest.mark.django_db


def test_load_demo_creates_its_published_campaigns_and_is_idempotent(client):
    call_command("load_demo")
    call_command("load_demo")

    campaign = CampaignPage.objects.live().get(
        slug="free-the-lakeside-four", locale__language_code="en"
    )
    # It, its French translation, and the campaign to the supporter's representative.
    assert CampaignPage.objects.live().count() == 3
    assert [target.email.endswith("@example.org") for target in campaign.targets] == [True, True]
    response = client.get(campaign.url)
    assert response.status_code == 200
    assert "Free the Lakeside Four" in response.content.decode()


def test_the_demo_campaign_can_be_signed(client):
    call_command("load_demo")
    campaign = CampaignPage.objects.get(slug="free-the-lakeside-four", locale__language_code="en")
    response = client.post(
        f"/act/{campaign.pk}/",
        SUPPORTER,
    )
    assert response.status_code == 302
    assert Signature.objects.filter(campaign=campaign).counted().count() == 1


def test_the_demo_campaign_is_in_french_too_as_a_wagtail_localize_translation(client):
    from wagtail_localize.models import StringSegment, Translation

    from cms.management.commands.demo_french import TEXTS

    call_command("load_demo")
    english = CampaignPage.objects.get(slug="free-the-lakeside-four", locale__language_code="en")
    french = CampaignPage.objects.live().get(locale__language_code="fr")

    assert french.translation_key == english.translation_key
    assert french.url == "/fr/agir/liberez-les-quatre-du-lac-sereno/"
    # The admin sees it as a translation, every segment translated (nothing left to do).
    translation = Translation.objects.get(source__object_id=english.translation_key)
    assert translation.target_locale.language_code == "fr"
    segments = StringSegment.objects.filter(source=translation.source)
    assert segments.count() >= 30
    assert all(segment.string.data in TEXTS for segment in segments)
    assert translation.get_status_display() == "Up to date"
    # Every text French, the button and the labels included.
    html = client.get(french.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for english_text in (
        "Free the Lakeside Four",
        "Send my message",
        "Urge the Minister",
        "Held for speaking up",
        "Keep me informed",
        "First name",
    ):
        assert english_text not in html
    for french_text in ("Envoyer mon message", "Détenus pour avoir pris la parole", "Prénom"):
        assert french_text in html
    assert "Monsieur le Ministre, Monsieur le Gouverneur,\n\nJe m" in french.message_body
    # The switcher, at once, both ways; the counter is one.
    assert f'<a href="{english.url}" hreflang="en" lang="en">English</a>' in html
    english_html = client.get(english.url).content.decode()
    assert 'hreflang="fr" lang="fr">français</a>' in english_html
    assert french.action_count() == english.action_count() == 742


def test_a_browser_preferring_english_reaches_the_english_demo_from_the_root(client):
    call_command("load_demo")
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="en-CA,en;q=0.9,fr-CA;q=0.8")
    assert home["Location"] == "/en/"
    french_home = client.get("/", HTTP_ACCEPT_LANGUAGE="fr-CA,fr;q=0.9")
    assert french_home["Location"] == "/fr/"
    assert "Free the Lakeside Four" in client.get("/en/act/").content.decode()


def test_the_second_demo_campaign_writes_to_the_supporter_s_representative(client):
    from campaigns.models import Directory
    from campaigns.representatives import find

    call_command("load_demo")
    campaign = CampaignPage.objects.live().get(slug="write-to-your-representative")
    directory = Directory.objects.get(name="Demo representatives")
    assert (campaign.targeting, campaign.directory) == ("representative", directory)
    # The prefixes the README lists, the longest winning.
    for code, name in [
        ("K1A 0A6", "Margaret Lowell"),
        ("K2P 1L4", "Daniel Okafor"),
        ("K7L 3N6", "Ruth Abernathy"),
        ("M5V 2T6", "Sofia Marchetti"),
        ("H2X 1Y4", "Julien Tremblay"),
        ("V6B 4Y8", "Priya Nair"),
        ("SW1A 1AA", "Eleanor Pryce"),
    ]:
        assert [person.name for person in find(directory, code)] == [name]
    response = client.post(
        f"/act/{campaign.pk}/",
        {
            "first_name": "Ana",
            "last_name": "O",
            "email": "ana@example.org",
            "postal_code": "k1a0a6",
        },
    )
    assert response.status_code == 200
    assert "Margaret Lowell" in response.content.decode()


@pytest.mark.parametrize(
    "address", ["127.0.0.1:8000", "http://127.0.0.1:8000", "http://127.0.0.1:8000/"]
)
def test_the_demo_site_makes_its_links_with_the_address_it_is_served_at(address):
    call_command("load_demo", address=address)

    assert Site.objects.get(is_default_site=True).root_url == "http://127.0.0.1:8000"


@pytest.mark.parametrize("address", ["127.0.0.1:port", "http://127.0.0.1:8000/act/", ":8000"])
def test_an_address_that_is_no_host_and_port_is_refused(address):
    with pytest.raises(CommandError, match="HOST:PORT"):
        call_command("load_demo", address=address)


def test_ensure_admin_prints_a_fresh_random_password(capsys):
    call_command("ensure_admin")
    first = capsys.readouterr().out.split("password: ")[1].strip()
    call_command("ensure_admin")
    second = capsys.readouterr().out.split("password: ")[1].strip()

    assert first != second and len(second) >= 16
    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser and user.check_password(second)
