"""A consenting supporter hears back and unsubscribes (issue 33, point 5): the update
reaches their mailbox, they open its unsubscribe link, press the one button, and the next
update does not reach them (it still reaches a supporter who stayed)."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from signatures.models import CampaignUpdate
from tests.factories import CampaignPageFactory, SiteFactory
from tests.moderation.conftest import add_signature

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://\S+/updates/stop/\S+/")


def publish(campaign, subject):
    update = CampaignUpdate.objects.create(
        campaign=campaign, subject=subject, body="News for you.", live=False
    )
    update.save_revision().publish()  # its emails go after commit (no broker: in-process)


def to(message) -> str:
    return message["To"].addresses[0].addr_spec


def test_a_supporter_unsubscribes_with_one_click_and_the_next_update_does_not_reach_them(
    live_server, browser_page, smtp_server
):
    campaign = CampaignPageFactory(parent=SiteFactory().root_page, title="Free them")
    add_signature(campaign, email="ana@example.org", first_name="Ana", consent=True)
    add_signature(campaign, email="bo@example.org", first_name="Bo", consent=True)

    publish(campaign, "The minister agreed to meet us")
    first = {to(message): message for message in smtp_server.wait_for(2)}
    update = first["ana@example.org"]
    assert update["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = LINK.search(update.get_content()).group(0)
    assert update["List-Unsubscribe"].strip() == f"<{link}>"  # folded: a long header

    page = browser_page
    page.goto(live_server.url + urlsplit(link).path)  # the site's address, on the test server
    expect(page.get_by_role("heading", name="Stop this campaign's updates")).to_be_visible()
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("no more updates about “Free them”")

    publish(campaign, "We met the minister")
    arrived = smtp_server.wait_for(3)
    assert [to(message) for message in arrived[2:]] == ["bo@example.org"]
    assert [to(m) for m in arrived].count("ana@example.org") == 1
