"""A target answers (issue 33, points 2 and 3): it opens the link in the letter that reached
its mailbox, answers; a moderator publishes the answer; the campaign page, in English and
in French, shows it and "1 of 1"."""

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from signatures.models import Delivery, TargetReply
from signatures.services import delivery
from tests.factories import CampaignPageFactory, SiteFactory, TargetFactory, translate
from tests.moderation.conftest import add_signature

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long moderator password"
ANSWER = "We will review the detention of the four defenders this week."


def test_a_target_answers_from_its_letter_and_a_moderator_publishes_it(
    live_server, browser_page, smtp_server
):
    site = SiteFactory()
    minister = TargetFactory(name="Minister of Water", email="minister@water.example.org")
    campaign = CampaignPageFactory(parent=site.root_page, title="Free them", targets=[minister])
    french = translate(campaign, "fr", title="Libérez-les")
    owed = Delivery.objects.create(signature=add_signature(campaign), target=minister)
    delivery.deliver_letter(owed.pk)
    get_user_model().objects.create_superuser("mona", "mona@staff.example", PASSWORD)

    [letter] = smtp_server.wait_for(1)
    link = re.search(r"https?://\S+/answer/\S+/", letter.get_content()).group(0)
    page = browser_page
    page.goto(live_server.url + urlsplit(link).path)  # the site's address, on the test server
    expect(page.get_by_role("heading", name="Answer the 1 person who wrote to you")).to_be_visible()
    page.get_by_label("Your answer").fill(ANSWER)
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_role("heading", name="Thank you: we have your answer")).to_be_visible()
    page.goto(live_server.url + campaign.url)
    assert ANSWER not in page.content()  # a draft until a moderator publishes it

    reply = TargetReply.objects.get()
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill("mona")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/admin/")
    page.goto(f"{live_server.url}/admin/snippets/signatures/targetreply/edit/{reply.pk}/")
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Publish").click()
    page.wait_for_url("**/admin/snippets/signatures/targetreply/")

    for url, tally in (
        (campaign.url, "1 of 1 target has answered"),
        (french.url, "Cibles ayant répondu : 1 sur 1"),
    ):
        page.goto(live_server.url + url)
        answers = page.get_by_role("region", name=re.compile("Their answers|Leurs réponses"))
        expect(answers).to_contain_text(tally)
        expect(answers).to_contain_text(ANSWER)
