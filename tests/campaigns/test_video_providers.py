"""Story videos: YouTube and Vimeo players only, never a provider's script (issue 15, finding 2).

Wagtail accepts every oEmbed provider by default: a tweet's address put platform.twitter.com's
script beside the form, which only holders of the scripts permission may add.
"""

import re

import pytest
from wagtail.embeds.embeds import get_embed_hash
from wagtail.embeds.finders import get_finders
from wagtail.embeds.models import Embed

from campaigns.models import CampaignPage

from .conftest import VIDEO_URL
from .test_blocks import render
from .test_editor import edit_url, form_data

pytestmark = pytest.mark.django_db

TWEET_URL = "https://twitter.com/amnesty/status/1234567890"
TWITTER_SCRIPT = '<script async src="https://platform.twitter.com/widgets.js"></script>'
REFUSAL = "Only YouTube and Vimeo videos can be shown"


def foreign_scripts(html):
    """Every script tag in the page but Clarion's own static files (the share button's)."""
    tags = re.findall(r"<script\b[^>]*>", html)
    return [
        tag
        for tag in tags
        if not re.fullmatch(r'<script src="/static/clarion/[\w.-]+"( defer)?>', tag)
    ]


def stored_embed(url, html, provider):
    """An oEmbed answer as Wagtail stores it (found by address before any provider is
    asked): what a tweet fetched under the old rules left behind, or a provider's answer."""
    return Embed.objects.create(
        url=url,
        max_width=None,
        hash=get_embed_hash(url),
        type="rich",
        html=html,
        title="",
        provider_name=provider,
        width=None,
        height=None,
    )


@pytest.fixture
def tweet(db):
    html = f'<blockquote class="twitter-tweet"><p>Free them</p></blockquote>{TWITTER_SCRIPT}'
    return stored_embed(TWEET_URL, html, "Twitter")


def save_video(client, campaign, editor, url):
    """Save a draft whose story is one video block, as the editor's browser posts it."""
    client.force_login(editor)
    data = form_data(client, campaign)
    data.update(
        {
            "body-count": "1",
            "body-0-type": "video",
            "body-0-deleted": "",
            "body-0-order": "0",
            "body-0-id": "",
            "body-0-value-video": url,
            "body-0-value-caption": "",
        }
    )
    return client.post(edit_url(campaign), data)


def test_only_youtube_and_vimeo_are_embed_providers():
    def accepted(url):
        return any(finder.accept(url) for finder in get_finders())

    assert accepted(VIDEO_URL) and accepted("https://vimeo.com/76979871")
    for other in (
        TWEET_URL,
        "https://www.instagram.com/p/abc/",
        "https://www.tiktok.com/@a/video/1",
    ):
        assert not accepted(other)


def test_a_tweet_is_refused_in_the_editor_with_a_message(client, campaign, editor, tweet):
    response = save_video(client, campaign, editor, TWEET_URL)

    assert response.status_code == 200  # the editor again, with the message by the block
    assert REFUSAL in response.content.decode()
    assert not CampaignPage.objects.get(pk=campaign.pk).get_latest_revision_as_object().body


def test_a_youtube_video_is_accepted_in_the_editor(client, campaign, editor, video_embed):
    assert save_video(client, campaign, editor, VIDEO_URL).status_code == 302
    [block] = CampaignPage.objects.get(pk=campaign.pk).get_latest_revision_as_object().body
    assert block.value["video"].url == VIDEO_URL


def test_no_script_reaches_the_page_from_a_tweet_saved_before(client, site, tweet):
    html = render(client, site, [("video", {"video": TWEET_URL, "caption": ""})])
    assert foreign_scripts(html) == []
    assert "platform.twitter.com" not in html
    assert f'<a href="{TWEET_URL}">Watch the video</a>' in html


def test_only_the_players_iframe_is_rendered_from_a_providers_answer(client, site):
    stored_embed(
        VIDEO_URL,
        '<script src="https://evil.example/x.js"></script>'
        '<iframe src="https://www.youtube.com/embed/clarion-demo" onload="steal()"></iframe>'
        '<img src="https://tracker.example/pixel.gif">',
        "YouTube",
    )
    html = render(client, site, [("video", {"video": VIDEO_URL, "caption": "The vigil"})])
    assert 'src="https://www.youtube.com/embed/clarion-demo"' in html
    assert foreign_scripts(html) == []
    for foreign in ("evil.example", "onload", "tracker.example"):
        assert foreign not in html


def test_an_answer_without_a_known_player_becomes_a_link(client, site):
    stored_embed(VIDEO_URL, '<iframe src="https://ads.example/player"></iframe>', "YouTube")
    html = render(client, site, [("video", {"video": VIDEO_URL, "caption": ""})])
    assert "ads.example" not in html
    assert f'<a href="{VIDEO_URL}">Watch the video</a>' in html
