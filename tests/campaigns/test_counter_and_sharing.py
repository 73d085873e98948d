"""The counter's goal, sharing, the thank-you page, social meta and the campaign index."""

import re
from datetime import timedelta
from urllib.parse import quote, unquote

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

from campaigns.progress import next_goal
from signatures.models import Signature
from signatures.services.confirmation import token_for
from signatures.services.signing import record_signature
from tests.factories import SUPPORTER, CampaignPageFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "count, goal",
    [
        (0, 100),
        (99, 100),
        (100, 250),
        (249, 250),
        (250, 500),
        (785, 1000),
        (1000, 2500),
        (4999, 5000),
        (5000, 10000),
        (10000, 25000),
        (3_000_000, 5_000_000),
    ],
)
def test_the_automatic_goal_is_the_next_round_number_above_the_count(count, goal):
    assert next_goal(count) == goal


def test_without_a_goal_the_bar_works_towards_the_next_round_number(client, site):
    campaign = CampaignPageFactory(parent=site.root_page, counter_offset=785)
    html = client.get(campaign.url).content.decode()
    assert '<progress class="counter__bar" max="1000" value="785"' in html
    assert "Help us reach 1,000" in html


def test_an_editors_goal_is_shown_and_stays_once_reached(client, site):
    campaign = CampaignPageFactory(parent=site.root_page, counter_offset=785, counter_goal=5000)
    html = client.get(campaign.url).content.decode()
    assert '<progress class="counter__bar" max="5000" value="785"' in html
    assert "Help us reach 5,000" in html

    campaign.counter_offset = 5200
    campaign.save_revision().publish()
    html = client.get(campaign.url).content.decode()
    assert '<progress class="counter__bar" max="5000" value="5000"' in html
    assert "Goal of 5,000 reached!" in html


def test_the_progress_bar_is_named_by_its_goal_for_screen_readers(client, campaign):
    html = client.get(campaign.url).content.decode()
    assert f'aria-labelledby="counter-{campaign.pk}-goal"' in html
    assert f'<p class="counter__goal" id="counter-{campaign.pk}-goal">' in html


def shared_on(url, network, slug):
    """The campaign's address as its share link for `network` gives it: with the source
    tags the statistics count visits and actions by."""
    return f"{url}?utm_source={network}&utm_medium=share&utm_campaign={slug}"


def test_a_visit_and_an_action_through_a_share_link_count_for_that_network(client, site):
    campaign = CampaignPageFactory(parent=site.root_page)
    html = client.get(campaign.url).content.decode()
    link = re.search(r'sharer\.php\?u=([^"]+)"', html).group(1)
    landing = unquote(link)
    assert landing == shared_on(f"http://testserver{campaign.url}", "facebook", campaign.slug)

    response = client.post(
        reverse("signatures:sign", args=[campaign.pk]),
        SUPPORTER,
        HTTP_REFERER=landing,
    )
    assert response.status_code == 302
    signature = Signature.objects.get()
    assert (signature.utm_source, signature.utm_medium, signature.utm_campaign) == (
        "facebook",
        "share",
        campaign.slug,
    )


def test_the_thank_you_page_shares_the_campaign_without_javascript(client, site):
    campaign = CampaignPageFactory(
        parent=site.root_page,
        share_text="I wrote to the minister. Will you?",
        thank_you_message="Thank you, truly.",
        next_step_label="Donate now",
        next_step_url="https://example.org/donate",
    )
    html = client.get(campaign.url + "thank-you/").content.decode()
    url = f"http://testserver{campaign.url}"
    shared_text = quote("I wrote to the minister. Will you?", safe="/")

    def shared(network):  # as Django's urlencode filter writes the tagged address
        return quote(shared_on(url, network, campaign.slug), safe="/")

    def message(network):
        text = f"I wrote to the minister. Will you? {shared_on(url, network, campaign.slug)}"
        return quote(text, safe="/")

    assert "Thank you, truly." in html
    assert '<a class="button" href="https://example.org/donate">Donate now</a>' in html
    assert f"mailto:?subject={quote(campaign.title)}&amp;body={message('email')}" in html
    assert f"https://www.facebook.com/sharer/sharer.php?u={shared('facebook')}" in html
    assert f"https://x.com/intent/post?text={shared_text}&amp;url={shared('x')}" in html
    assert f"https://wa.me/?text={message('whatsapp')}" in html
    # Copying works as a plain, selectable field; share.js only adds a button to it.
    assert f'<input id="share-url" type="url" value="{url}" readonly>' in html
    assert 'data-copy="share-url"' in html and " hidden>" in html


def test_the_page_carries_open_graph_and_twitter_meta(client, site):
    picture = Image.objects.create(title="Hero", file=get_test_image_file())
    campaign = CampaignPageFactory(
        parent=site.root_page,
        title="Free the Four",
        hero_image=picture,
        search_description="Four defenders held without charge.",
    )
    html = client.get(campaign.url).content.decode()
    assert '<meta property="og:title" content="Free the Four">' in html
    assert '<meta property="og:description" content="Four defenders held without charge.">' in html
    assert f'<meta property="og:url" content="http://testserver{campaign.url}">' in html
    assert '<meta property="og:image" content="http://testserver/media/images/' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert '<meta name="description" content="Four defenders held without charge.">' in html


def test_the_social_image_wins_over_the_hero(client, site):
    hero = Image.objects.create(title="Hero", file=get_test_image_file(filename="hero.png"))
    social = Image.objects.create(title="Social", file=get_test_image_file(filename="social.png"))
    campaign = CampaignPageFactory(parent=site.root_page, hero_image=hero, social_image=social)
    html = client.get(campaign.url).content.decode()
    assert 'og:image" content="http://testserver/media/images/social' in html


def test_the_index_lists_open_campaigns_first_with_their_counters(client, site):
    closed = CampaignPageFactory(
        parent=site.root_page,
        title="Closed one",
        counter_offset=40,
        closes_at=timezone.now() - timedelta(days=1),
    )
    opened = CampaignPageFactory(parent=site.root_page, title="Open one", counter_offset=12)
    older = CampaignPageFactory(parent=site.root_page, title="Older open one")
    older.first_published_at = timezone.now() - timedelta(days=30)
    older.save()

    html = client.get(closed.get_parent().url).content.decode()
    positions = [html.index(title) for title in ("Open one", "Older open one", "Closed one")]
    assert positions == sorted(positions)
    assert "<strong>12</strong> people have taken action" in html
    assert "<strong>40</strong> people took action" in html
    assert html.count('<p class="card__status">Closed</p>') == 1
    assert opened.is_open() and not closed.is_open()


def test_the_campaign_page_offers_the_same_plain_share_links(client, site):
    campaign = CampaignPageFactory(
        parent=site.root_page, lead="Free the four.", share_text="I just wrote. Will you?"
    )
    html = client.get(campaign.url).content.decode()
    url = f"http://testserver{campaign.url}"
    facebook = quote(shared_on(url, "facebook", campaign.slug), safe="/")
    whatsapp = quote(shared_on(url, "whatsapp", campaign.slug), safe="/")
    assert '<h2 id="share-heading">Share this campaign</h2>' in html
    assert f"https://www.facebook.com/sharer/sharer.php?u={facebook}" in html
    # A visitor who has not acted shares the campaign's lead, not "I just wrote…".
    assert f"https://wa.me/?text={quote('Free the four. ', safe='/')}{whatsapp}" in html
    assert quote("I just wrote", safe="/") not in html
    # Links only: no service's script or widget is loaded to share.
    assert re.findall(r"<script[^>]*\bsrc=\"([^\"]+)\"", html) == ["/static/clarion/share.js"]
    assert "<iframe" not in html


@pytest.fixture
def opt_in_campaign(site):
    return CampaignPageFactory(
        parent=site.root_page,
        confirmation_required=True,
        thank_you_message="Your message is on its way.",
        next_step_label="Donate now",
        next_step_url="https://example.org/donate",
    )


def test_an_action_to_confirm_is_told_only_what_happens_next(client, opt_in_campaign):
    campaign = opt_in_campaign
    html = client.get(campaign.url + "thank-you/").content.decode()
    assert "One more step: confirm your action" in html
    assert "We have emailed you a link." in html
    for said_too_soon in ("Your message is on its way.", "Donate now", "Thank you for taking"):
        assert said_too_soon not in html
    assert 'class="counter"' not in html


def test_once_confirmed_the_supporter_gets_the_campaigns_thanks_and_next_step(
    client, opt_in_campaign
):
    campaign = opt_in_campaign
    record_signature(campaign, {"first_name": "Ana", "last_name": "O", "email": "ana@example.org"})
    token = token_for(Signature.objects.get())
    html = client.post(reverse("signatures:confirm", args=[token])).content.decode()
    assert "Your message is on its way." in html
    assert '<a class="button" href="https://example.org/donate">Donate now</a>' in html
