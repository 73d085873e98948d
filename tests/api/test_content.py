"""GET /api/v3/campaigns/…: what a headless front end gets about a campaign."""

import datetime
import io

import pytest
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

from campaigns.api import EXPOSED_FIELDS
from campaigns.models import CampaignPage
from signatures.forms import SignatureForm
from tests.factories import CampaignPageFactory, TargetFactory

pytestmark = pytest.mark.django_db


def url(campaign, tail=""):
    return f"/api/v3/campaigns/{campaign.pk}/{tail}"


@pytest.fixture
def image():
    return Image.objects.create(
        title="Lakeside", description="Four people at a lake", file=get_test_image_file()
    )


def _at(data, path):
    for key in path.split("."):
        data = data[key]
    return data


def _panel_fields(panel):
    if isinstance(panel, FieldPanel):
        yield panel.field_name
    elif isinstance(panel, InlinePanel):
        yield panel.relation_name
    for child in getattr(panel, "children", []):
        yield from _panel_fields(child)


def test_every_field_an_editor_sets_is_in_the_api(client, site, image):
    campaign = CampaignPageFactory(
        parent=site.root_page,
        seo_title="SEO title",
        search_description="Search text",
        hero_image=image,
        hero_credit="Photo by: Ana @ana",
        social_image=image,
        counter_goal=5000,
        count_breakdown=True,
        count_note="Each address counts once.",
        milestones="1,000; 10,000",
        share_text="I wrote. Will you?",
        next_step_label="Donate",
        next_step_url="https://example.org/donate",
        opens_at=timezone.now() - datetime.timedelta(days=1),
        closes_at=timezone.now() + datetime.timedelta(days=1),
        head_scripts="<script>/* head */</script>",
        body_scripts="<script>/* body */</script>",
    )
    response = client.get(url(campaign))
    assert response["Cache-Control"] == "public, max-age=5"
    data = response.json()

    edited = set(_panel_fields(CampaignPage.get_edit_handler())) - {"go_live_at", "expire_at"}
    assert edited - set(EXPOSED_FIELDS) == set(), "fields editors set but the API leaves out"
    for path in EXPOSED_FIELDS.values():
        _at(data, path)  # present
    assert data["meta"]["seo_title"] == "SEO title"
    assert data["hero"]["credit"] == "Photo by: Ana @ana"
    assert data["counter"] == {
        "count": 0,
        "goal": 5000,
        "breakdown": {
            "counted": 0,
            "gathered_elsewhere": 0,
            "awaiting_confirmation": 0,
            "removed": 0,
            "removals": [],
            "note": "Each address counts once.",
        },
        "milestones": [1000, 10000],
    }
    assert data["thank_you"]["next_step"] == {
        "label": "Donate",
        "url": "https://example.org/donate",
    }
    assert data["thank_you"]["share_text"] == "I wrote. Will you?"
    assert data["state"]["is_open"] is True
    assert data["scripts"]["head"] == "<script>/* head */</script>"


def test_the_story_is_structured_blocks_with_images_and_rich_text(client, site, image):
    campaign = CampaignPageFactory(
        parent=site.root_page,
        body=[
            ("heading", "Who they are"),
            ("paragraph", "<p>They <b>defend</b> the lake.</p>"),
            ("image", {"image": image, "caption": "At the lake", "credit": "Photo: Ana"}),
            ("quote", {"quote": "Release us", "attribution": "Ana"}),
        ],
    )
    story = client.get(url(campaign)).json()["story"]

    assert [block["type"] for block in story] == ["heading", "paragraph", "image", "quote"]
    assert story[0]["value"] == "Who they are"
    assert "<b>defend</b>" in story[1]["value"]
    picture = story[2]["value"]
    assert picture["caption"] == "At the lake"
    assert picture["image"]["alt"] == "Four people at a lake"
    assert picture["image"]["credit"] == "Photo: Ana"
    assert story[3]["value"] == {"quote": "Release us", "attribution": "Ana"}


def test_images_come_with_renditions_a_front_end_can_use(client, site, image):
    campaign = CampaignPageFactory(parent=site.root_page, hero_image=image, hero_credit="Ana")
    hero = client.get(url(campaign)).json()["hero"]

    assert (hero["id"], hero["alt"], hero["credit"]) == (image.pk, "Four people at a lake", "Ana")
    assert set(hero["renditions"]) == {"small", "medium", "large", "wide", "social"}
    wide = hero["renditions"]["wide"]
    assert wide["url"].startswith("http://testserver/")
    # The rendition really is that size.
    stored = image.get_rendition("fill-1600x700")
    with stored.file.open() as handle:
        actual = PILImage.open(io.BytesIO(handle.read())).size
    assert (wide["width"], wide["height"]) == actual == (stored.width, stored.height)


def test_the_form_set_up_is_the_campaigns_own(client, site):
    campaign = CampaignPageFactory(
        parent=site.root_page,
        country_field="hidden",
        postal_code_field="required",
        phone_field="optional",
        consent_text="Yes, keep me posted",
        button_label="Write now",
    )
    form = client.get(url(campaign)).json()["action"]["form"]

    fields = {field["name"]: field for field in form["fields"]}
    expected = SignatureForm(campaign=campaign).fields
    assert list(fields) == list(expected)
    assert "country" not in fields
    assert fields["postal_code"]["required"] is True
    assert fields["phone"]["required"] is False and fields["phone"]["type"] == "tel"
    assert fields["email"] == fields["email"] | {"type": "email", "required": True}
    assert fields["consent"]["label"] == form["consent_text"] == "Yes, keep me posted"
    assert form["button_label"] == "Write now"
    assert form["action_url"] == f"http://testserver/api/v3/campaigns/{campaign.pk}/signatures/"
    assert form["texts"]["counter"] == "Actions so far: {count}"


def test_targets_are_shown_without_their_email_addresses(client, site):
    target = TargetFactory(salutation="The Hon.", name="Minister of Water", email="m@gov.example")
    campaign = CampaignPageFactory(parent=site.root_page, targets=[target])
    response = client.get(url(campaign))

    assert response.json()["action"]["targets"] == [
        {"salutation": "The Hon.", "name": "Minister of Water"}
    ]
    assert b"m@gov.example" not in response.content


def test_a_closed_campaign_says_so(client, site):
    campaign = CampaignPageFactory(
        parent=site.root_page,
        closes_at=timezone.now() - datetime.timedelta(minutes=1),
        closed_message="Closed, thank you all.",
    )
    state = client.get(url(campaign)).json()["state"]
    assert state["is_open"] is False
    assert state["closed_message"] == "Closed, thank you all."


def test_unknown_draft_and_malformed_ids_are_not_found(client, campaign):
    assert client.get("/api/v3/campaigns/987654/").status_code == 404
    assert client.get("/api/v3/campaigns/987654/").json()["status"] == 404
    campaign.unpublish()
    assert client.get(url(campaign)).status_code == 404
    for bad in ("abc", "0", "-1", "99999999999999999999"):
        assert client.get(f"/api/v3/campaigns/{bad}/").status_code in (404, 422)


def test_every_campaign_route_says_not_found_alike_and_names_no_model(client, site):
    other_page = site.root_page.pk  # a page, but no campaign
    answers = [
        client.get(f"/api/v3/campaigns/{other_page}/"),
        client.get(f"/api/v3/campaigns/{other_page}/counter/"),
        client.post(
            f"/api/v3/campaigns/{other_page}/signatures/", "{}", content_type="application/json"
        ),
    ]
    assert [answer.status_code for answer in answers] == [404, 404, 404]
    assert {answer.json()["detail"] for answer in answers} == {"No live campaign has this id."}


def test_the_list_has_live_campaigns_only(client, site):
    live = CampaignPageFactory(parent=site.root_page)
    draft = CampaignPageFactory(parent=site.root_page)
    draft.unpublish()
    data = client.get("/api/v3/campaigns/").json()
    assert [item["id"] for item in data["items"]] == [live.pk]
    assert data["count"] == 1
    assert data["items"][0]["detail_url"] == f"http://testserver/api/v3/campaigns/{live.pk}/"
    assert client.get("/api/v3/campaigns/?offset=194503587417256591360").status_code == 422


def test_campaign_pages_are_in_wagtails_page_api_too(client, campaign):
    response = client.get(f"/api/v3/pages/{campaign.pk}/")
    assert response.status_code == 200
    assert response.json()["meta"]["type"] == "campaigns.CampaignPage"


def test_a_next_step_with_a_link_but_no_label_is_the_same_button_as_on_the_page(client, site):
    campaign = CampaignPageFactory(
        parent=site.root_page, next_step_label="", next_step_url="https://example.org/donate"
    )

    next_step = client.get(url(campaign)).json()["thank_you"]["next_step"]
    thank_you = client.get(campaign.url + "thank-you/").content.decode()

    assert next_step == {"label": "Take the next step", "url": "https://example.org/donate"}
    assert '<a class="button" href="https://example.org/donate">Take the next step</a>' in thank_you
