"""Headless Chromium (Debian's package) driven by Playwright, for tests marked `browser`."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from wagtail.models import Collection, Locale, Page

from tests.availability import CHROMIUM

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the tests' own database
    # calls are still synchronous, so Django's guard against async use does not apply.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def screenshots(tmp_path):
    """Where a test saves its screenshots: a temporary folder, or CLARION_SCREENSHOTS (the
    README's are regenerated with CLARION_SCREENSHOTS=docs/screenshots)."""
    folder = Path(os.environ.get("CLARION_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def browser_page(chromium):
    context = chromium.new_context(viewport=DESKTOP)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def demo_campaign(live_server):
    """The demo campaign, loaded as `make run` loads it, on the live server.

    A transactional test may start from an emptied database: the tree roots that Wagtail's
    migrations create are put back first.
    """
    from campaigns.models import CampaignPage

    Locale.objects.get_or_create(language_code="en")
    if not Collection.get_first_root_node():
        Collection.add_root(name="Root")
    if not Page.get_first_root_node():
        Page.add_root(instance=Page(title="Root", slug="root"))
    call_command("load_demo")
    return CampaignPage.objects.get(
        slug="free-the-lakeside-four", locale__language_code="en"
    )  # its French translation too


def sign_as_a_supporter(page, heading="Thank you for taking action"):
    """Fill in the open campaign page's form as one supporter, send it, see the thanks (or,
    when the campaign asks supporters to confirm, the page's `heading`)."""
    page.get_by_label("First name").fill("Ana")
    page.get_by_label("Last name").fill("Okonjo")
    page.get_by_role("textbox", name="Email").fill("ana@example.org")
    page.get_by_label("Country").select_option("PT")
    page.get_by_role("button", name="Send my message").click()
    page.wait_for_url("**/thank-you/")
    assert page.get_by_role("heading", name=heading).is_visible()
