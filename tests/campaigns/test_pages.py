import pytest
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

from campaigns.models import CampaignIndexPage, CampaignPage
from cms.base.models import HomePage, OrganisationSettings
from tests.factories import CampaignPageFactory, TargetFactory

pytestmark = pytest.mark.django_db


def test_campaigns_live_only_under_a_campaign_index(site):
    index = CampaignIndexPage.objects.get()
    assert CampaignPage.can_create_at(index)
    assert not CampaignPage.can_create_at(site.root_page)
    assert CampaignIndexPage.can_create_at(site.root_page)
    assert CampaignPage.allowed_subpage_models() == []


def test_one_home_page_per_parent(site):
    assert not HomePage.can_create_at(site.root_page.get_parent())


def test_page_renders_every_part(client, site):
    OrganisationSettings.objects.update_or_create(
        site=site,
        defaults={"name": "Lakeside Watch", "privacy_policy_url": "https://example.org/p"},
    )
    hero = Image.objects.create(title="Hero", file=get_test_image_file())
    target = TargetFactory(salutation="The Hon.", name="Minister of Water", email="m@example.org")
    campaign = CampaignPageFactory(
        parent=site.root_page,
        title="Protect the wells",
        lead="Three villages have no clean water.",
        hero_image=hero,
        hero_credit="Photo by: Ana @ana",
        ask="Urge the minister to act",
        message_subject="Clean water now",
        message_body="Dear Minister,\n\nAct now.",
        counter_offset=785,
        targets=[target],
        body=[
            ("heading", "Held for speaking up"),
            ("paragraph", "<p>The <b>story</b> so far.</p>"),
            ("quote", {"quote": "We asked for water.", "attribution": "Ana"}),
            ("image", {"image": hero, "caption": "The lake", "credit": "Photo: Ana"}),
        ],
    )

    html = client.get(campaign.url).content.decode()

    for part in [
        "Lakeside Watch",
        'href="https://example.org/p"',  # banner and privacy policy
        '<a href="https://example.org/p">Read our privacy policy</a>',  # by the form's note
        "<h1>Protect the wells</h1>",
        "Three villages have no clean water.",
        "Photo by: Ana @ana",
        'class="hero__image"',
        "<strong>785</strong> people have taken action",
        "Urge the minister to act",
        "The Hon.",
        "Minister of Water",
        "Clean water now",
        "Dear Minister,",
        "Held for speaking up",
        "The <b>story</b> so far.",
        "We asked for water.",
        "— Ana",
        "The lake",
        "Photo: Ana",
        'name="first_name"',
        'name="last_name"',
        'name="email"',
        'name="country"',
        'name="postal_code"',
        'name="consent"',
        "Taking action sends an email to the target",
    ]:
        assert part in html, part
    assert "m@example.org" not in html  # a target's address is never shown


def test_every_form_field_has_a_label(client, campaign):
    html = client.get(campaign.url).content.decode()
    for field in ["first_name", "last_name", "email", "country", "postal_code", "consent"]:
        assert f'<label for="id_{field}"' in html


def test_draft_campaigns_are_not_served(client, campaign):
    campaign.unpublish()
    assert client.get(campaign.url).status_code == 404


def test_index_lists_live_campaigns_with_counters(client, site):
    live = CampaignPageFactory(parent=site.root_page, title="Live one", counter_offset=12)
    draft = CampaignPageFactory(parent=site.root_page, title="Draft one")
    draft.unpublish()
    html = client.get(live.get_parent().url).content.decode()
    assert "Live one" in html and "<strong>12</strong>" in html
    assert "Draft one" not in html
