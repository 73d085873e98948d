"""Each story block renders through its own template, on the real page."""

import pytest
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

from campaigns.blocks import StoryBlock
from tests.factories import CampaignPageFactory

from .conftest import VIDEO_URL

pytestmark = pytest.mark.django_db


@pytest.fixture
def picture(db):
    return Image.objects.create(title="Vigil", file=get_test_image_file())


def render(client, site, body):
    campaign = CampaignPageFactory(parent=site.root_page, body=body)
    response = client.get(campaign.url)
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index('<section class="story"') :]


def test_every_block_has_an_icon_and_its_own_template():
    for name, block in StoryBlock().child_blocks.items():
        assert block.meta.icon, name
        assert block.meta.template.startswith("blocks/"), name


def test_heading_and_text(client, site):
    html = render(
        client,
        site,
        [("heading", "Held for speaking up"), ("paragraph", "<p>A <b>bold</b> fact.</p>")],
    )
    assert '<h2 class="story__heading">Held for speaking up</h2>' in html
    assert '<div class="story__text"><p>A <b>bold</b> fact.</p></div>' in html


def test_image_with_description_caption_and_credit(client, site, picture):
    html = render(
        client,
        site,
        [
            (
                "image",
                {
                    "image": picture,
                    "alt_text": "Candles at the vigil",
                    "caption": "The vigil on 3 March",
                    "credit": "Photo by: Ana @ana",
                },
            )
        ],
    )
    assert 'alt="Candles at the vigil"' in html
    assert "The vigil on 3 March" in html
    assert '<span class="story__credit">Photo by: Ana @ana</span>' in html


def test_quote_with_attribution(client, site):
    html = render(
        client, site, [("quote", {"quote": "We asked for water.", "attribution": "Ana Okonjo"})]
    )
    assert '<blockquote class="story__quote">' in html
    assert "<p>We asked for water.</p>" in html
    assert "— Ana Okonjo" in html


def test_video_embeds_the_providers_player(client, site, video_embed):
    html = render(client, site, [("video", {"video": VIDEO_URL, "caption": "The vigil, filmed"})])
    assert 'src="https://www.youtube.com/embed/clarion-demo"' in html
    assert "<figcaption>The vigil, filmed</figcaption>" in html


def test_a_video_that_cannot_be_embedded_becomes_a_link(client, site):
    # No oEmbed provider knows this address: the supporter still gets a link.
    html = render(
        client, site, [("video", {"video": "https://video.example.org/v/1", "caption": ""})]
    )
    assert '<a href="https://video.example.org/v/1">Watch the video</a>' in html


def test_call_out_with_link(client, site):
    html = render(
        client,
        site,
        [
            (
                "call_out",
                {
                    "title": "60 days without charge",
                    "text": "<p>They have not seen a judge.</p>",
                    "link_url": "https://example.org/report",
                    "link_label": "Read the report",
                },
            )
        ],
    )
    assert '<aside class="call-out" aria-label="60 days without charge">' in html
    assert "<p>They have not seen a judge.</p>" in html
    assert '<a class="call-out__link" href="https://example.org/report">Read the report</a>' in html


def test_two_columns_put_text_beside_the_image_on_the_chosen_side(client, site, picture):
    html = render(
        client,
        site,
        [
            (
                "two_columns",
                {
                    "text": "<p>The wells turned orange.</p>",
                    "image": picture,
                    "alt_text": "An orange well",
                    "caption": "Well no. 3",
                    "image_side": "left",
                },
            )
        ],
    )
    assert 'class="two-columns two-columns--image-left"' in html
    assert "<p>The wells turned orange.</p>" in html
    assert 'alt="An orange well"' in html and "Well no. 3" in html


def test_the_story_blocks_fields_are_labelled_as_sentences_in_every_language():
    from django.utils import translation

    from campaigns.blocks import QuoteBlock

    quote = QuoteBlock().child_blocks
    assert [str(quote[name].label) for name in ("quote", "attribution")] == [
        "Quote",
        "Who said it",
    ]
    with translation.override("fr"):
        assert str(quote["quote"].label) == "Citation"
