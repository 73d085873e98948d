"""The whole loop of issue 33 (points 2, 3 and 5), in the browser: a supporter signs and
agrees to hear back; the letter reaches the target's mailbox (the aiosmtpd server) through
the real delivery path; the target opens the link in that letter and answers; nothing
public changes; a Moderator (of the Moderators group, not a superuser) publishes the answer
in the admin; the campaign page, in English and in French, and the API show it and "1 of
1"; the supporter receives the answer by email, opens its unsubscribe link, presses the one
button, and the next update reaches only a supporter who stayed."""

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from playwright.sync_api import expect

from signatures.models import TargetReply, UpdateOptOut, UpdateRecipient
from tests.e2e.test_target_approval import PASSWORD, log_in
from tests.factories import CampaignPageFactory, SiteFactory, TargetFactory, translate
from tests.moderation.conftest import add_signature
from tests.updates.conftest import UNSUBSCRIBE, publish_update
from tests.waiting import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ANSWER = "We will review the detention of the four defenders this week."
MINISTER = "minister@water.example.org"
ANA, BO = "ana@example.org", "bo@example.org"
#: The start of the consent checkbox's label (the campaign's default consent text).
CONSENT = re.compile("^Email me news of this campaign")
#: What the Moderators group is given by signatures' migration 0028 (a transactional test
#: may start from a flushed database, without the group or the publish permission).
ANSWER_PERMISSIONS = {
    "view_targetreply": "Can view target's answer",
    "change_targetreply": "Can change target's answer",
    "publish_targetreply": "Can publish target's answer",
}


@pytest.fixture
def campaign(live_server):
    """A campaign with one target and its French translation, on a site at the live
    server's address, so the links in letters open on it as they are."""
    address = urlsplit(live_server.url)
    site = SiteFactory(hostname=address.hostname, port=address.port)
    minister = TargetFactory(name="Minister of Water", email=MINISTER)
    campaign = CampaignPageFactory(
        parent=site.root_page, title="Free them", targets=[minister], country_field="hidden"
    )
    translate(campaign, "fr", title="Libérez-les")
    return campaign


def french_of(campaign):
    return campaign.get_translations().get(locale__language_code="fr")


@pytest.fixture
def moderator(db):
    moderators, _ = Group.objects.get_or_create(name="Moderators")
    content_type = ContentType.objects.get_for_model(TargetReply)
    moderators.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
        *(
            Permission.objects.get_or_create(
                content_type=content_type, codename=codename, defaults={"name": name}
            )[0]
            for codename, name in ANSWER_PERMISSIONS.items()
        ),
    )
    user = get_user_model().objects.create_user("mona", "mona@staff.example", PASSWORD)
    user.groups.add(moderators)
    assert not user.is_superuser
    return user


def answers_on(page, url):
    """The answers' region of a campaign page (its English or French heading)."""
    page.goto(url)
    return page.get_by_role("region", name=re.compile("^(Their answers|Leurs réponses)$"))


def tallies(answered):
    """Who has answered, in English and in French."""
    return (f"{answered} of 1 target has answered", f"Cibles ayant répondu : {answered} sur 1")


def answers_in_api(page, url):
    return page.request.get(url).json()["answers"]


def mail_to(smtp_server, address, count=1):
    """The messages the mailbox holds for `address`, once `count` of them have arrived
    (letters and updates to different people arrive in no set order)."""

    def arrived():
        return [m for m in smtp_server.messages if m["To"].addresses[0].addr_spec == address]

    wait_until(lambda: len(arrived()) >= count, timeout=30)
    return arrived()


def test_a_target_answers_its_letter_and_a_consenting_supporter_hears_back_then_unsubscribes(
    live_server, chromium, smtp_server, campaign, moderator
):
    supporter = chromium.new_context().new_page()
    supporter.goto(live_server.url + campaign.url)
    supporter.get_by_label("First name").fill("Ana")
    supporter.get_by_label("Last name").fill("Okonjo")
    supporter.get_by_role("textbox", name="Email").fill(ANA)
    supporter.get_by_label(CONSENT).check()
    supporter.get_by_role("button", name="Send my message").click()
    supporter.wait_for_url("**/thank-you/")

    [letter] = mail_to(smtp_server, MINISTER)
    link = re.search(r"https?://\S+/answer/\S+/", letter.get_content()).group(0)
    target = chromium.new_context().new_page()
    target.goto(link)  # as it is in the letter
    expect(
        target.get_by_role("heading", name="Answer the 1 person who wrote to you")
    ).to_be_visible()
    assert "Okonjo" not in target.content() and ANA not in target.content()
    target.get_by_label("Your answer").fill(ANSWER)
    target.get_by_role("button", name="Send my answer").click()
    expect(target.get_by_role("heading", name="Thank you: we have your answer")).to_be_visible()

    # Nothing public changes: a draft, for the moderators.
    pages = [live_server.url + page.url for page in (campaign, french_of(campaign))]
    api = f"{live_server.url}/api/v3/campaigns/{campaign.pk}/"
    for url, tally in zip(pages, tallies(0), strict=True):
        expect(answers_on(supporter, url)).to_contain_text(tally)
        assert ANSWER not in supporter.content()
    assert answers_in_api(supporter, api)["answers"] == []

    # Another supporter who agreed to hear back (signed in code): the one who stays.
    add_signature(campaign, email=BO, first_name="Bo", consent=True)
    staff = log_in(chromium, live_server.url, "mona")
    staff.goto(live_server.url + "/admin/snippets/")
    staff.get_by_role("link", name="Targets' answers").click()
    staff.get_by_role("link", name=re.compile("Minister of Water")).click()
    expect(staff.locator("#id_body")).to_have_value(ANSWER)
    staff.get_by_role("button", name="More actions").click()
    staff.get_by_role("button", name="Publish").click()
    staff.wait_for_url("**/admin/snippets/signatures/targetreply/")

    for url, tally in zip(pages, tallies(1), strict=True):
        answers = answers_on(supporter, url)
        expect(answers).to_contain_text(tally)
        expect(answers).to_contain_text(ANSWER)
    published = answers_in_api(supporter, api)
    assert (published["targets"], published["targets_answered"]) == (1, 1)
    assert published["answers"][0]["body"] == ANSWER

    # Publishing owed the answer to every consenting supporter, sent as in production (the
    # tasks run in-process in tests, without a broker).
    [update] = mail_to(smtp_server, ANA)
    assert update["Subject"] == "The Hon. Minister of Water has answered: Free them"
    assert ANSWER in update.get_content()
    assert update["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    stop = UNSUBSCRIBE.search(update.get_content()).group(0)
    assert update["List-Unsubscribe"].strip() == f"<{stop}>"  # folded: a long header
    assert len(mail_to(smtp_server, BO)) == 1

    supporter.goto(stop)  # as it is in the email: the campaign's site is the live server
    expect(supporter.get_by_role("heading", name="Stop this campaign's updates")).to_be_visible()
    supporter.get_by_role("button", name="Unsubscribe").click()
    expect(supporter.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
    expect(supporter.get_by_role("status")).to_contain_text("no more updates about “Free them”")
    assert UpdateOptOut.objects.filter(signature__email=ANA).exists()

    news = publish_update(campaign, subject="We met the minister")
    [_, news_to_bo] = mail_to(smtp_server, BO, 2)
    assert news_to_bo["Subject"] == "Free them: We met the minister"
    assert len(mail_to(smtp_server, ANA)) == 1
    skipped = UpdateRecipient.objects.get(mailing__update=news, signature__email=ANA)
    assert skipped.state == UpdateRecipient.State.UNSUBSCRIBED
