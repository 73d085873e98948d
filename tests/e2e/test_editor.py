"""An editor builds a campaign in the Wagtail admin, publishes it, and the public sees it."""

import re
import warnings

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from campaigns.models import CampaignIndexPage, CampaignPage, CampaignTarget, Target

# PostgreSQL: the admin sends several requests at once (autosave, editing sessions), which
# lock each other out of SQLite's in-memory test database.
pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long editor password"


@pytest.fixture
def demo_site(live_server, demo_campaign):
    get_user_model().objects.create_superuser("editor", "editor@staff.example", PASSWORD)
    return live_server.url


def log_in(page, base_url):
    page.goto(base_url + "/admin/login/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base_url + "/admin/")


def add_a_text_block(page, story):
    """Insert a Text block into the story, as an editor would: clicking again if none came.

    Twice, each time just after or during a full CI run (never in runs of its own, loaded or
    not), the chooser's click added no block: the next step found only a hidden rich text
    editor, presumably the privacy note's on another tab. Clicking again only while the
    story is still empty cannot add a second block.
    """
    editors = story.locator(".public-DraftEditor-content")
    for clicks in range(1, 4):
        story.get_by_role("button", name="Insert a block").first.click()
        page.get_by_role("option", name="Text", exact=True).click()
        try:
            expect(editors).to_have_count(1, timeout=15_000)
        except AssertionError:
            if not editors.count():
                page.keyboard.press("Escape")  # close the chooser if it is still open
                continue
        if clicks > 1:  # shown in the run's summary: how often this happens, and when
            warnings.warn(f"the block chooser added the Text block at click {clicks}", stacklevel=2)
        return
    raise AssertionError("clicking Text in the block chooser three times added no block")


def test_an_editor_creates_and_publishes_a_campaign_and_the_public_page_shows_it(
    demo_site, browser_page
):
    page = browser_page
    page.set_default_timeout(60_000)  # a loaded CI machine renders the admin slowly
    index = CampaignIndexPage.objects.get(locale__language_code="en")
    target = Target.objects.filter(directory=None).order_by("name").first()  # not a representative
    log_in(page, demo_site)

    page.goto(f"{demo_site}/admin/pages/add/campaigns/campaignpage/{index.pk}/")
    page.locator("#id_title").fill("Stop the river dam")
    page.locator("#id_lead").fill("A dam would drown three villages.")
    # The story: one text block.
    story = page.get_by_role("tabpanel", name="Story")
    add_a_text_block(page, story)
    story.locator(".public-DraftEditor-content").click()
    page.keyboard.type("The valley has been farmed for four hundred years.")

    page.get_by_role("tab", name="Action").click()
    page.locator("#id_ask").fill("Ask the minister to stop the dam")
    page.get_by_role("button", name=re.compile("Add target", re.I)).click()
    page.get_by_role("button", name=re.compile("Choose target", re.I)).first.click()
    page.get_by_role("link", name=target.name).first.click()
    page.locator("#id_message_subject").fill("Stop the dam")
    page.locator("#id_message_body").fill("Dear Minister,\n\nPlease stop the dam.")
    # Autosave (on, as in production) makes the draft and commits its target row, which
    # the publish below posts again (issue 35: that publish once answered 500). The editor
    # sees the address become the draft's edit form; a click before that still posts to the
    # add form, which then says the slug is taken by the draft.
    expect(page).to_have_url(re.compile(r"/admin/pages/\d+/edit/"), timeout=60_000)
    for _ in range(120):
        if CampaignTarget.objects.filter(campaign__title="Stop the river dam").exists():
            break
        page.wait_for_timeout(500)
    else:
        raise AssertionError("autosave never saved the draft with its target")

    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Publish").click()
    page.wait_for_url(f"**/admin/pages/{index.pk}/**")

    campaign = CampaignPage.objects.get(title="Stop the river dam")
    assert campaign.live
    assert [t.pk for t in campaign.targets] == [target.pk]

    public = page.context.new_page()  # a visitor, not logged in
    public.context.clear_cookies()
    public.goto(demo_site + campaign.url)
    assert public.get_by_role("heading", name="Stop the river dam").is_visible()
    assert public.get_by_text("A dam would drown three villages.").is_visible()
    assert public.get_by_text("The valley has been farmed for four hundred years.").is_visible()
    assert public.get_by_role("heading", name="Ask the minister to stop the dam").is_visible()
    assert public.get_by_text(target.name).first.is_visible()
