"""The demo action page in headless Chromium at a phone's and a desktop's width.

Takes the screenshots the README shows (docs/screenshots/campaign-{phone,desktop}.png and
thank-you-phone.png). A test run keeps them in a temporary folder, so it leaves the checkout
as it was; to regenerate the README's:
`CLARION_SCREENSHOTS=docs/screenshots pytest tests/e2e/test_demo_page.py`.
"""

import pytest
from playwright.sync_api import expect
from wagtail.models import Locale

from campaigns.models import CampaignPage
from signatures.models import Signature
from tests.e2e.conftest import DESKTOP, PHONE, sign_as_a_supporter

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.e2e.media_urls"),
]


@pytest.fixture
def demo(live_server, demo_campaign):
    return live_server.url + demo_campaign.url


def box(page, selector):
    return page.locator(selector).first.bounding_box()


def assert_fits_the_width(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 0)")


def test_on_a_phone_the_form_comes_first_and_nothing_overflows(chromium, demo, screenshots):
    context = chromium.new_context(viewport=PHONE, device_scale_factor=2)
    page = context.new_page()
    page.goto(demo)

    assert_fits_the_width(page, PHONE["width"])
    hero, action, story = box(page, ".hero"), box(page, ".action"), box(page, ".story")
    assert hero["y"] < action["y"] < story["y"]  # title, then the form, then the story
    assert action["width"] > PHONE["width"] - 40  # one column
    assert page.locator(".counter strong").inner_text() == "742"
    assert page.get_by_role("textbox", name="Email").is_visible()
    page.screenshot(path=screenshots / "campaign-phone.png", full_page=True)
    context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_long_title_and_lead_stay_below_the_banner_and_on_the_picture(
    chromium, live_server, demo_campaign, viewport
):
    demo_campaign.title = "Protect the rights of the water defenders detained " * 5
    demo_campaign.lead = "Four water defenders have been held without charge. " * 5
    demo_campaign.save_revision().publish()
    context = chromium.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(live_server.url + demo_campaign.url)

    banner, hero = box(page, ".banner"), box(page, ".hero")
    title, lead = box(page, ".hero h1"), box(page, ".hero__lead")
    assert title["y"] >= banner["y"] + banner["height"]  # not drawn over the banner
    assert hero["y"] <= title["y"] and lead["y"] + lead["height"] <= hero["y"] + hero["height"]
    assert box(page, ".hero__image")["height"] >= lead["y"] + lead["height"] - hero["y"] - 1
    context.close()


def test_on_a_desktop_the_story_is_left_and_the_form_right(chromium, demo, screenshots):
    context = chromium.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(demo)

    assert_fits_the_width(page, DESKTOP["width"])
    action, story = box(page, ".action"), box(page, ".story")
    assert story["x"] + story["width"] <= action["x"]  # side by side
    assert action["y"] < story["y"] + story["height"]
    assert page.locator("progress.counter__bar").get_attribute("max") == "1000"
    page.screenshot(path=screenshots / "campaign-desktop.png", full_page=True)
    context.close()


def test_in_a_right_to_left_language_the_page_is_mirrored(chromium, demo, demo_campaign):
    CampaignPage.objects.filter(pk=demo_campaign.pk).update(
        locale=Locale.objects.get_or_create(language_code="ar")[0]
    )
    context = chromium.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(demo)

    assert_fits_the_width(page, DESKTOP["width"])
    action, story = box(page, ".action"), box(page, ".story")
    assert action["x"] + action["width"] <= story["x"]  # the story on the right, read first
    quote_border = page.locator(".story__quote").first.evaluate(
        "q => getComputedStyle(q).borderRightWidth"
    )
    assert quote_border == "5px"  # the quote's rule on the side its lines start
    context.close()


def test_with_javascript_off_a_supporter_acts_and_can_share(chromium, demo, screenshots):
    context = chromium.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(demo)

    page.get_by_label("Your personal note").fill("My grandmother drank from those wells.")
    sign_as_a_supporter(page)
    assert page.locator(".counter strong").inner_text() == "743"
    assert page.get_by_label("Or copy the link").input_value() == demo
    assert (
        page.get_by_role("link", name="WhatsApp")
        .get_attribute("href")
        .startswith("https://wa.me/?text=")
    )
    assert not page.get_by_role("button", name="Copy link").is_visible()  # needs JavaScript
    signature = Signature.objects.get()
    assert signature.personal_note == "My grandmother drank from those wells."
    page.screenshot(path=screenshots / "thank-you-phone.png", full_page=True)
    context.close()


def test_a_refused_action_brings_the_supporter_to_what_to_correct(chromium, demo, settings):
    settings.CLARION_MIN_FILL_SECONDS = 0
    context = chromium.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(demo)

    page.get_by_label("First name").fill("Ana")
    page.get_by_label("Last name").fill("Okonjo")
    page.get_by_role("textbox", name="Email").fill("ana@")
    page.get_by_role("button", name="Send my message").click()

    summary = page.locator(".form-errors")
    expect(summary).to_be_focused()  # read out, and in view, without JavaScript
    assert "Please check the form" in summary.inner_text()
    assert not Signature.objects.exists()
    context.close()
