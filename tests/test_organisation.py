"""The organisation's settings: its banner after the demo, its browser icon."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.core.management import call_command
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Site
from wagtail.test.utils.form_data import querydict_from_html

from campaigns.models import CampaignPage
from cms.base.models import OrganisationSettings

pytestmark = pytest.mark.django_db


def save_settings(client, **changes):
    """Change the organisation's settings in the admin, as an administrator's browser does."""
    site = Site.objects.get(is_default_site=True)
    admin = get_user_model().objects.filter(username="ada").first()
    client.force_login(admin or get_user_model().objects.create_superuser("ada", "ada@x.example"))
    url = f"/admin/settings/cms/organisationsettings/{site.pk}/"
    data = querydict_from_html(client.get(url).content.decode(), form_id="w-editor-form")
    data.update(changes)
    assert client.post(url, data).status_code == 302
    return OrganisationSettings.for_site(site)


def banner(client):
    html = client.get(
        CampaignPage.objects.get(slug="free-the-lakeside-four", locale__language_code="en").url
    ).content.decode()
    return html.split('<header class="banner">')[1].split("</header>")[0]


def test_renaming_the_demos_organisation_drops_the_demos_logo_privacy_link_and_sender(client):
    call_command("load_demo")
    assert "<img" in banner(client) and "example.org/privacy" in banner(client)

    organisation = save_settings(client, name="Lakeside Watch")

    assert (organisation.logo, organisation.privacy_policy_url) == (None, "")
    assert organisation.from_email == ""
    assert "<img" not in banner(client)
    assert "Privacy policy" not in banner(client)
    assert "Lakeside Watch" in banner(client)


def test_what_the_editor_gives_with_the_new_name_stays(client):
    call_command("load_demo")
    organisation = save_settings(
        client, name="Lakeside Watch", privacy_policy_url="https://lakeside.example/privacy"
    )
    assert organisation.privacy_policy_url == "https://lakeside.example/privacy"
    assert organisation.logo is None

    # Once it is theirs, a later new name keeps everything.
    organisation = save_settings(client, name="Lakeside Watch International")
    assert organisation.privacy_policy_url == "https://lakeside.example/privacy"


def test_a_real_organisation_renamed_keeps_its_logo(client, site):
    logo = Image.objects.create(title="Our logo", file=get_test_image_file())
    organisation = OrganisationSettings.for_site(site)
    organisation.logo, organisation.privacy_policy_url = logo, "https://ours.example/privacy"
    organisation.save()

    organisation = save_settings(client, name="Our new name")

    assert (organisation.logo, organisation.privacy_policy_url) == (
        logo,
        "https://ours.example/privacy",
    )


def test_the_browser_icon_is_clarions_until_the_organisation_sets_its_own(client, site):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/clarion/favicon.png"
    assert finders.find("clarion/favicon.png")
    assert "max-age=3600" in response["Cache-Control"]

    icon = Image.objects.create(title="Icon", file=get_test_image_file(size=(200, 200)))
    organisation = OrganisationSettings.for_site(site)
    organisation.favicon = icon
    organisation.save()

    location = client.get("/favicon.ico")["Location"]
    rendition = icon.get_rendition("fill-64x64|format-png")
    assert location == rendition.url
    assert (rendition.width, rendition.height) == (64, 64)


def test_every_page_names_its_icon(client, campaign):
    assert '<link rel="icon" href="/favicon.ico">' in client.get(campaign.url).content.decode()
