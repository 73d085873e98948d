"""An Editor builds a campaign with a target of their own and submits it; a Moderator
approves the campaign and the target in one step; a supporter's letter reaches the target
(issue 28, finding 7)."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from playwright.sync_api import expect
from wagtail.models import (
    GroupApprovalTask,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from campaigns.models import CampaignIndexPage, CampaignPage, Target
from tests.e2e.conftest import sign_as_a_supporter
from tests.e2e.test_editor import add_a_text_block

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long staff password"
TARGET_EMAIL = "river.authority@state.example.gov"


def group(name, page_permissions, target_codenames):
    """Wagtail's group as its migrations and ours make it (a transactional test may start
    from a flushed database, without them)."""
    made, _ = Group.objects.get_or_create(name=name)
    made.permissions.add(
        *Permission.objects.filter(content_type__app_label="wagtailadmin", codename="access_admin"),
        *Permission.objects.filter(
            content_type__app_label="campaigns", codename__in=target_codenames
        ),
    )
    root = Page.get_first_root_node()
    for kind in page_permissions:
        held = GroupPagePermission.objects.filter(
            group=made, page=root, permission__codename=f"{kind}_page"
        )
        if not held.exists():
            GroupPagePermission.objects.create(group=made, page=root, permission_type=kind)
    return made


@pytest.fixture
def roles(demo_campaign):
    """An Editor and a Moderator, and Wagtail's default workflow: the Moderators approve."""
    editors = group("Editors", ["add", "change"], ["add_target", "change_target", "view_target"])
    moderators = group(
        "Moderators",
        ["add", "change", "publish"],
        ["add_target", "change_target", "view_target", "publish_target"],
    )
    if not WorkflowPage.objects.filter(page=Page.get_first_root_node()).exists():
        workflow = Workflow.objects.create(name="Moderators approval")
        task = GroupApprovalTask.objects.create(name="Moderators approval")
        task.groups.set([moderators])
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
        WorkflowPage.objects.create(workflow=workflow, page=Page.get_first_root_node())
    User = get_user_model()
    for name, role in (("eddie", editors), ("mona", moderators)):
        User.objects.create_user(name, f"{name}@staff.example", PASSWORD).groups.add(role)


def log_in(chromium, base_url, username):
    from tests.e2e.conftest import DESKTOP

    page = chromium.new_context(viewport=DESKTOP).new_page()
    page.set_default_timeout(60_000)  # a loaded CI machine renders the admin slowly
    page.goto(base_url + "/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base_url + "/admin/")
    return page


def test_an_editors_campaign_and_new_target_are_approved_together_and_the_letter_arrives(
    live_server, chromium, roles, smtp_server
):
    index = CampaignIndexPage.objects.get(locale__language_code="en")
    editor = log_in(chromium, live_server.url, "eddie")

    editor.goto(f"{live_server.url}/admin/pages/add/campaigns/campaignpage/{index.pk}/")
    editor.locator("#id_title").fill("Save the river meadows")
    editor.locator("#id_lead").fill("The meadows flood every spring, as they should.")
    story = editor.get_by_role("tabpanel", name="Story")
    add_a_text_block(editor, story)
    story.locator(".public-DraftEditor-content").click()
    editor.keyboard.type("Herons nest there.")
    editor.get_by_role("tab", name="Action").click()
    editor.locator("#id_ask").fill("Ask the river authority to keep the meadows")
    editor.get_by_role("button", name=re.compile("Add target", re.I)).click()
    editor.get_by_role("button", name=re.compile("Choose target", re.I)).first.click()
    # A target of their own, made in the chooser: a draft, as an Editor's targets are.
    editor.get_by_role("tab", name="New target").click()
    creation = editor.locator("form", has=editor.get_by_role("button", name="Save as a draft"))
    creation.get_by_label("Name or office").fill("River Authority")
    creation.get_by_role("textbox", name="Email").fill(TARGET_EMAIL)
    creation.get_by_role("button", name="Save as a draft").click()
    expect(editor.get_by_text("River Authority (draft: not yet published)")).to_be_visible()
    editor.locator("#id_message_subject").fill("Keep the meadows")
    editor.locator("#id_message_body").fill("Dear Authority,\n\nPlease keep the meadows.")

    editor.get_by_role("button", name="More actions").click()
    # "Submit to Moderators approval": Wagtail names the workflow.
    editor.get_by_role("button", name=re.compile(r"^Submit to ")).click()
    editor.wait_for_url(f"**/admin/pages/{index.pk}/**")
    expect(editor.get_by_text("River Authority was submitted with the campaign")).to_be_visible()

    campaign = CampaignPage.objects.get(title="Save the river meadows")
    target = Target.objects.get(name="River Authority")
    assert not campaign.live and not target.live
    assert campaign.workflow_in_progress

    moderator = log_in(chromium, live_server.url, "mona")
    moderator.goto(f"{live_server.url}/admin/pages/{campaign.pk}/edit/")
    # Told, where they review the campaign, which target (and address) they approve with it.
    expect(moderator.get_by_text(f"River Authority <{TARGET_EMAIL}>")).to_be_visible()
    moderator.get_by_role("button", name="More actions").click()
    moderator.get_by_role("button", name="Approve and Publish", exact=True).click()
    moderator.wait_for_url(f"**/admin/pages/{index.pk}/**")

    campaign.refresh_from_db()
    target.refresh_from_db()
    assert campaign.live and target.live
    assert [t.pk for t in CampaignPage.objects.get(pk=campaign.pk).targets] == [target.pk]

    supporter = chromium.new_page()
    supporter.goto(live_server.url + campaign.url)
    expect(supporter.locator(".targets")).to_contain_text("River Authority")
    sign_as_a_supporter(supporter)
    sent = smtp_server.wait_for(2, timeout=30)  # the letter, and the supporter's receipt
    [letter] = [m for m in sent if m["To"].addresses[0].addr_spec == TARGET_EMAIL]
    assert "Please keep the meadows." in letter.get_content()
