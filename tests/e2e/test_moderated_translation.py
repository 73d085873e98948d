"""A translation goes through moderation, in the browser (issue 28): an Editor translates a
campaign into French in wagtail-localize's editor (the letter line by line, with a
placeholder) and submits it for moderation; nobody sees it until a Moderator publishes it;
a supporter then signs the French page, the target receives the French letter with its
paragraphs and the supporter's name in it, and the one counter grows on both pages."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from playwright.sync_api import expect
from wagtail.models import (
    GroupApprovalTask,
    GroupPagePermission,
    Page,
    Site,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from campaigns.models import CampaignPage
from tests.factories import CampaignPageFactory, TargetFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,  # the admin's concurrent requests lock SQLite's test database
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.e2e.media_urls"),
]

PASSWORD = "a long staff password"
LETTER = "Dear Minister,\n\nMy name is {first_name}.\n\nPlease protect the river."
TITLE = ("Protect the river", "Protégez la rivière")
FRENCH_LETTER = {  # the letter, line by line, in the editor's Action tab
    "Dear Minister,": "Madame la Ministre,",
    "My name is {first_name}.": "Je m'appelle {first_name}.",
    "Please protect the river.": "Protégez la rivière, je vous prie.",
}


def group(name, page_permissions, *codenames):
    """Wagtail's group as its migrations make it (a transactional test starts from a flushed
    database), with the page permissions on the whole tree."""
    group, _ = Group.objects.get_or_create(name=name)
    group.permissions.add(*Permission.objects.filter(codename__in=["access_admin", *codenames]))
    if "submit_translation" in codenames:
        group.permissions.add(submit_translation_permission())
    for kind in page_permissions:
        GroupPagePermission.objects.get_or_create(
            group=group,
            page=Page.get_first_root_node(),
            permission=Permission.objects.get(
                content_type__app_label="wagtailcore", codename=f"{kind}_page"
            ),
        )
    return group


def submit_translation_permission():
    """wagtail-localize's "Can submit translations", which its migration 0006 makes (not a
    model's Meta), so a transactional test that ran before this one in the process flushed
    it away for good."""
    content_type, _ = ContentType.objects.get_or_create(
        app_label="wagtail_localize", model="translation"
    )
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename="submit_translation",
        defaults={"name": "Can submit translations"},
    )
    return permission


@pytest.fixture
def staff(demo_campaign):
    editors = group("Editors", ["add", "change"], "submit_translation")
    moderators = group("Moderators", ["add", "change", "publish"], "submit_translation")
    # Wagtail's "Moderators approval" workflow on the whole tree (made by its migrations).
    root = Page.get_first_root_node()
    if not WorkflowPage.objects.filter(page=root).exists():
        workflow = Workflow.objects.create(name="Moderators approval", active=True)
        task = GroupApprovalTask.objects.create(name="Moderators approval", active=True)
        task.groups.set([moderators])
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
        WorkflowPage.objects.create(workflow=workflow, page=root)
    for username, members_of in (("eddie", editors), ("pat", moderators)):
        user = get_user_model().objects.create_user(username, f"{username}@staff.example", PASSWORD)
        user.groups.add(members_of)


@pytest.fixture
def river(demo_campaign):
    """A campaign of the demo's site, in English only, writing to one target."""
    home = Site.objects.get(is_default_site=True).root_page
    target = TargetFactory(name="Minister of Rivers", email="minister@rivers.example", live=True)
    return CampaignPageFactory(
        parent=home, title="Protect the river", message_body=LETTER, targets=[target]
    )


def log_in(page, base, username):
    page.context.clear_cookies()
    page.goto(base + "/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/admin/")


def translate_segment(page, source, text):
    """In wagtail-localize's editor: the segment showing `source`, translated as `text`."""
    segment = page.locator("li:visible", has=page.get_by_text(source, exact=True)).last
    segment.get_by_role("button", name="Translate").click()
    segment.locator("textarea").fill(text)
    segment.get_by_role("button", name="Save").click()
    expect(segment.get_by_role("button", name="Edit")).to_be_visible()


def count_on(page, url):
    page.goto(url)
    return int(page.locator(".counter strong").first.inner_text().replace(",", ""))


def test_an_editors_french_translation_is_moderated_then_signed_in_french(
    live_server, staff, river, browser_page
):
    page, base = browser_page, live_server.url
    page.set_default_timeout(60_000)
    english_url = base + river.url
    before = count_on(page, english_url)

    # The Editor: "Translate this page" into French, then the segments, in the editor.
    log_in(page, base, "eddie")
    page.goto(f"{base}/admin/localize/submit/page/{river.pk}/")
    page.get_by_label("French").check()
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url("**/admin/pages/*/edit/")
    translate_segment(page, *TITLE)
    page.get_by_role("tab", name="Action", exact=True).click()
    for source, text in FRENCH_LETTER.items():
        translate_segment(page, source, text)
    page.get_by_role("button", name="Submit the French translation for moderation").click()
    expect(page.get_by_text("submitted for moderation")).to_be_visible()

    french = CampaignPage.objects.get(
        translation_key=river.translation_key, locale__language_code="fr"
    )
    assert not french.live
    # Not public: not its address, not the switcher, not the API.
    page.context.clear_cookies()
    assert page.goto(base + french.url).status == 404
    page.goto(english_url)
    expect(page.locator('.languages a[hreflang="fr"]')).to_have_count(0)
    assert french.pk not in [
        item["id"]
        for item in page.request.get(base + "/api/v3/campaigns/?locale=fr").json()["items"]
    ]

    # The Moderator publishes it.
    log_in(page, base, "pat")
    page.goto(f"{base}/admin/pages/{french.pk}/edit/")
    page.get_by_role("button", name="Publish in French").click()
    expect(page.get_by_text("Published 'Protégez la rivière' in French")).to_be_visible()
    french.refresh_from_db()
    assert french.live and french.title == "Protégez la rivière"

    # A supporter signs the French page.
    page.context.clear_cookies()
    page.goto(base + french.url)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.locator("[name=first_name]").fill("Lucie")
    page.locator("[name=last_name]").fill("Martin")
    page.locator("[name=email]").fill("lucie@example.org")
    page.locator(".sign-form [type=submit]").click()
    page.wait_for_url("**/thank-you/")

    [letter] = [message for message in mail.outbox if "minister@rivers.example" in message.to[0]]
    assert letter.body.startswith(
        "Madame la Ministre,\n\nJe m'appelle Lucie.\n\nProtégez la rivière, je vous prie."
    )
    assert count_on(page, english_url) == count_on(page, base + french.url) == before + 1
