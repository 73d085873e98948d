import pytest

from tests.e2e.conftest import sign_as_a_supporter

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.e2e.media_urls"),  # the demo's images, as a real site serves them
]


def test_a_supporter_signs_the_demo_campaign_and_sees_the_counter_grow(
    live_server, browser_page, demo_campaign
):
    campaign = demo_campaign
    page = browser_page
    page.goto(live_server.url + campaign.url)
    assert page.locator(".counter strong").inner_text() == "742"

    sign_as_a_supporter(page)
    assert page.locator(".counter strong").inner_text() == "743"
