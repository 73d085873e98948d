"""What people see first (issue 34), on a phone (390×844) and a laptop (1366×768): the home
page lists the live campaigns in the visitor's language; the ask and the start of the form
are in view without scrolling; the thank-you page leads with the counter and the share
links, which carry their network's source tags; an empty form sent at once is told what to
fill in, not called a robot. Each page also passes axe's WCAG A and AA rules.

Takes the README's screenshots of the home page and of the thank-you page on a laptop
(docs/screenshots/home-desktop.png, thank-you-desktop.png; see test_demo_page.py for
regenerating them).
"""

from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from playwright.sync_api import expect

from signatures.models import Signature
from tests.e2e.accessibility import wcag_violations
from tests.e2e.conftest import PHONE, sign_as_a_supporter

# PostgreSQL: the pages' images and beacons come in concurrent requests.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.e2e.media_urls"),
]

LAPTOP = {"width": 1366, "height": 768}
VIEWPORTS = pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])


@pytest.fixture
def screen(chromium, request):
    """A page in a new browser context of the test's `viewport`."""
    context = chromium.new_context(viewport=request.getfixturevalue("viewport"))
    yield context.new_page()
    context.close()


def in_view(page, locator) -> bool:
    """Whether the element is wholly inside the first screenful, without scrolling."""
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


@VIEWPORTS
def test_the_home_page_shows_the_live_campaigns_in_the_visitors_language(
    live_server, demo_campaign, screen, viewport, screenshots
):
    screen.goto(live_server.url + "/en/")

    cards = screen.locator(".card")
    expect(cards).to_have_count(2)  # the demo's two English campaigns
    first = cards.filter(has_text="Free the Lakeside Four")
    expect(first.get_by_role("link", name="Free the Lakeside Four")).to_be_visible()
    expect(first.locator(".counter strong")).to_have_text("742")
    assert first.locator("img.card__image").evaluate("i => i.complete && i.naturalWidth > 0")
    assert "held without charge" in first.inner_text()  # the lead
    assert wcag_violations(screen) == []
    if viewport is LAPTOP:
        screen.screenshot(path=screenshots / "home-desktop.png")

    # The switcher, named in its own language, leads to the French home page and its campaign.
    screen.get_by_role("navigation", name="This page in other languages").get_by_role(
        "link", name="français"
    ).click()
    expect(screen.locator("html")).to_have_attribute("lang", "fr")
    expect(screen.locator(".card")).to_have_count(1)
    expect(screen.get_by_role("link", name="Libérez les quatre du lac Sereno")).to_be_visible()


@VIEWPORTS
def test_the_campaign_index_has_the_language_switcher_too(
    live_server, demo_campaign, screen, viewport
):
    screen.goto(live_server.url + demo_campaign.get_parent().url)

    switcher = screen.get_by_role("navigation", name="This page in other languages")
    expect(switcher.get_by_role("link", name="français")).to_have_attribute("hreflang", "fr")
    assert in_view(screen, switcher)
    expect(screen.get_by_role("link", name="Free the Lakeside Four")).to_be_visible()
    assert wcag_violations(screen) == []


@VIEWPORTS
def test_the_ask_and_the_start_of_the_form_are_in_view_at_once(
    live_server, demo_campaign, screen, viewport
):
    screen.goto(live_server.url + demo_campaign.url)

    assert in_view(screen, screen.get_by_role("heading", name=demo_campaign.ask))
    assert in_view(screen, screen.locator(".sign-form legend").first)
    assert in_view(screen, screen.get_by_text("Read and personalise the letter"))
    assert wcag_violations(screen) == []


@VIEWPORTS
def test_the_thank_you_page_leads_with_the_counter_and_tagged_share_links(
    live_server, demo_campaign, screen, viewport, screenshots
):
    screen.goto(live_server.url + demo_campaign.url)
    sign_as_a_supporter(screen)

    assert in_view(screen, screen.locator(".counter"))
    for network in ("Email", "Facebook", "X", "WhatsApp"):
        assert in_view(screen, screen.get_by_role("link", name=network, exact=True)), network
    shared = unquote(screen.get_by_role("link", name="Facebook").get_attribute("href"))
    tags = parse_qs(urlsplit(shared.partition("?u=")[2]).query)
    assert tags == {
        "utm_source": ["facebook"],
        "utm_medium": ["share"],
        "utm_campaign": [demo_campaign.slug],
    }
    assert wcag_violations(screen) == []
    if viewport is LAPTOP:
        screen.screenshot(path=screenshots / "thank-you-desktop.png")


#: Headless Chromium says so in its user agent, and page views from robots are not counted.
PERSONS_BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
STAFF_PASSWORD = "a long administrator password"


@VIEWPORTS
def test_a_shared_link_comes_back_tagged_and_the_statistics_show_what_it_brought(
    live_server, demo_campaign, chromium, screen, viewport
):
    from django.contrib.auth import get_user_model

    screen.goto(live_server.url + demo_campaign.url)
    sign_as_a_supporter(screen)
    href = screen.get_by_role("link", name="Facebook").get_attribute("href")
    shared = unquote(href.partition("?u=")[2])

    # A friend follows the link the supporter shared, and acts too.
    friend = chromium.new_context(viewport=viewport, user_agent=PERSONS_BROWSER).new_page()
    friend.goto(shared)
    friend.get_by_label("First name").fill("Bruno")
    friend.get_by_label("Last name").fill("Sousa")
    friend.get_by_role("textbox", name="Email").fill("bruno@example.org")
    friend.get_by_label("Country").select_option("PT")
    friend.get_by_role("button", name="Send my message").click()
    friend.wait_for_url("**/thank-you/")
    friend.context.close()

    get_user_model().objects.create_superuser("ada", "ada@staff.example", STAFF_PASSWORD)
    screen.goto(live_server.url + "/admin/login/")
    screen.get_by_label("Username").fill("ada")
    screen.get_by_label("Password").fill(STAFF_PASSWORD)
    screen.get_by_role("button", name="Sign in").click()
    screen.wait_for_url(live_server.url + "/admin/")
    screen.goto(f"{live_server.url}/admin/signatures/statistics/{demo_campaign.pk}/")

    shares = screen.get_by_role("table", name="From shares, by network")
    rows = shares.locator("tbody tr")
    expect(rows).to_have_count(1)
    # Facebook: the friend's visit and the friend's action.
    assert rows.first.locator("td").all_inner_texts() == ["facebook", "1", "1", "100.0 %"]
    screen.wait_for_load_state("networkidle")
    assert wcag_violations(screen) == []


@VIEWPORTS
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_an_empty_form_sent_at_once_shows_the_field_errors_alone(
    live_server, demo_campaign, chromium, viewport, javascript, settings
):
    settings.CLARION_MIN_FILL_SECONDS = 3  # as in production: a person is given time
    context = chromium.new_context(viewport=viewport, java_script_enabled=javascript)
    page = context.new_page()
    page.goto(live_server.url + demo_campaign.url)
    page.get_by_role("button", name="Send my message").click()

    summary = page.locator(".form-errors")
    expect(summary).to_be_visible()
    assert "This field is required." in summary.inner_text()
    assert "quicker than a person" not in page.content()
    assert not Signature.objects.exists()
    if javascript:  # axe runs in the page, as a script
        assert wcag_violations(page) == []
    context.close()


@VIEWPORTS
def test_the_representative_found_shows_under_the_postal_code_in_plain_words(
    live_server, demo_campaign, screen, viewport
):
    from campaigns.models import CampaignPage

    to_representative = CampaignPage.objects.get(slug="write-to-your-representative")
    screen.goto(live_server.url + to_representative.url)
    postal_code = screen.get_by_label("Postal code")
    postal_code.fill("k1a 0a6")

    found = screen.locator("#representative-lookup")
    expect(found).to_have_text("Your representative: Margaret Lowell, Parliament Hill (demo)")
    below = found.bounding_box()["y"] - sum(
        postal_code.bounding_box()[side] for side in ("y", "height")
    )
    assert 0 <= below < 24  # right under the field that found them
    assert wcag_violations(screen) == []
