"""The campaign editor in the Wagtail admin, driven as an editor's browser drives it."""

import re

import pytest
from django.urls import reverse
from wagtail.models import Page
from wagtail.test.utils.form_data import querydict_from_html

from campaigns.models import CampaignPage, Target
from cms.base.models import OrganisationSettings
from signatures.models import Signature
from tests.factories import CampaignPageFactory, TargetFactory

pytestmark = pytest.mark.django_db

SCRIPT = '<script src="https://tracker.example.org/pixel.js"></script>'


def edit_url(page):
    return f"/admin/pages/{page.pk}/edit/"


def form_data(client, page):
    """What the editor's browser would post back from the edit form, unchanged."""
    response = client.get(edit_url(page))
    assert response.status_code == 200
    data = querydict_from_html(response.content.decode(), form_id="page-edit-form")
    # Browsers drop the newline Django puts after <textarea>.
    for name, value in data.items():
        if value.startswith("\n"):
            data[name] = value[1:]
    # The story's blocks are built by JavaScript from their JSON; an empty story posts this.
    data["body-count"] = "0"
    return data


@pytest.fixture
def scripted(site):
    return CampaignPageFactory(parent=site.root_page, head_scripts=SCRIPT, body_scripts=SCRIPT)


def test_the_editor_has_story_action_thank_you_and_settings_tabs(client, campaign, editor):
    client.force_login(editor)
    html = client.get(edit_url(campaign)).content.decode()
    for tab in ("story", "action", "thank_you", "settings"):
        assert f'id="tab-label-{tab}"' in html, tab
    assert "are replaced with the supporter&#x27;s details" in html  # help text in plain words


def test_an_editor_without_the_permission_neither_sees_nor_changes_scripts(
    client, scripted, editor
):
    client.force_login(editor)
    data = form_data(client, scripted)
    assert "head_scripts" not in data and "body_scripts" not in data
    assert "tracker.example.org" not in client.get(edit_url(scripted)).content.decode()

    data.update(lead="A new lead", head_scripts="<script>evil()</script>", body_scripts="")
    data["action-publish"] = "action-publish"
    response = client.post(edit_url(scripted), data)

    assert response.status_code == 302
    page = CampaignPage.objects.get(pk=scripted.pk)
    assert page.lead == "A new lead"  # the save went through …
    assert (page.head_scripts, page.body_scripts) == (SCRIPT, SCRIPT)  # … without the scripts
    latest = page.get_latest_revision_as_object()
    assert (latest.head_scripts, latest.body_scripts) == (SCRIPT, SCRIPT)


def test_an_editor_with_the_permission_edits_scripts_and_the_page_includes_them(
    client, scripted, scripts_editor
):
    client.force_login(scripts_editor)
    data = form_data(client, scripted)
    assert data["head_scripts"] == SCRIPT

    data.update(head_scripts="<script>window.analytics = 1;</script>", body_scripts="")
    data["action-publish"] = "action-publish"
    assert client.post(edit_url(scripted), data).status_code == 302

    page = CampaignPage.objects.get(pk=scripted.pk)
    assert (page.head_scripts, page.body_scripts) == ("<script>window.analytics = 1;</script>", "")
    html = client.get(page.url).content.decode()
    head = html[: html.index("</head>")]
    assert "<script>window.analytics = 1;</script>" in head


def test_site_wide_scripts_are_guarded_by_the_same_permission(client, site, editor):
    from django.contrib.auth.models import Permission

    editor.user_permissions.add(Permission.objects.get(codename="change_organisationsettings"))
    settings = OrganisationSettings.for_site(site)
    settings.head_scripts = SCRIPT
    settings.save()
    client.force_login(editor)
    url = f"/admin/settings/cms/organisationsettings/{site.pk}/"

    response = client.get(url)
    assert response.status_code == 200
    data = querydict_from_html(response.content.decode(), form_id="w-editor-form")
    assert "head_scripts" not in data
    data.update(name="Lakeside Watch", head_scripts="<script>evil()</script>")
    assert client.post(url, data).status_code == 302

    settings.refresh_from_db()
    assert (settings.name, settings.head_scripts) == ("Lakeside Watch", SCRIPT)


def test_a_draft_may_have_no_target_but_publishing_needs_one(client, campaign, editor):
    client.force_login(editor)
    data = form_data(client, campaign)
    data["campaign_targets-0-DELETE"] = "1"

    assert client.post(edit_url(campaign), data).status_code == 302  # saved as a draft
    draft = CampaignPage.objects.get(pk=campaign.pk).get_latest_revision_as_object()
    assert draft.campaign_targets.count() == 0

    data["action-publish"] = "action-publish"
    response = client.post(edit_url(campaign), data)
    assert response.status_code == 200
    assert "Add at least one target in the Action tab before publishing" in (
        response.content.decode()
    )
    assert CampaignPage.objects.get(pk=campaign.pk).targets  # the live page kept its target


def second_target(target):
    """The Action tab's targets with `target` added below the first, as the editor posts it."""
    return {
        "campaign_targets-TOTAL_FORMS": "2",
        "campaign_targets-1-target": str(target.pk),
        "campaign_targets-1-ORDER": "2",
        "campaign_targets-1-id": "",
        "campaign_targets-1-DELETE": "",
    }


def test_a_target_without_an_email_blocks_publishing_with_its_name(client, site, editor):
    unreachable = Target.objects.create(name="Office of the Governor", email="")
    campaign = CampaignPageFactory(parent=site.root_page)
    client.force_login(editor)
    data = form_data(client, campaign)
    data.update(second_target(unreachable))
    assert client.post(edit_url(campaign), data).status_code == 302  # a draft may

    data["action-publish"] = "action-publish"
    response = client.post(edit_url(campaign), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "These targets have no email address yet" in html
    assert "Office of the Governor" in html

    unreachable.email = "governor@example.org"
    unreachable.save()
    assert client.post(edit_url(campaign), data).status_code == 302
    assert len(CampaignPage.objects.get(pk=campaign.pk).targets) == 2


def test_a_target_not_yet_published_blocks_publishing_the_campaign(client, site, editor):
    drafted = Target.objects.create(name="Office of the Governor", email="g@example.org")
    drafted.unpublish()  # as an editor without the right to publish targets leaves it
    campaign = CampaignPageFactory(parent=site.root_page)
    client.force_login(editor)
    data = form_data(client, campaign)
    data.update(second_target(drafted), **{"action-publish": "action-publish"})

    response = client.post(edit_url(campaign), data)

    assert response.status_code == 200
    assert "These targets are not published yet" in response.content.decode()
    assert len(CampaignPage.objects.get(pk=campaign.pk).campaign_targets.all()) == 1
    drafted.save_revision().publish()
    assert client.post(edit_url(campaign), data).status_code == 302
    assert drafted in CampaignPage.objects.get(pk=campaign.pk).targets


def test_a_misspelt_placeholder_in_the_letter_is_refused_with_the_right_ones(
    client, campaign, editor
):
    client.force_login(editor)
    data = form_data(client, campaign)
    data.update(message_subject="Hi {firstname}", message_body="From {first name} in {country}")

    response = client.post(edit_url(campaign), data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "{firstname} is not a placeholder" in html
    assert "{first name} is not a placeholder" in html
    assert "{first_name}, {last_name}, {country}, {postal_code}" in html
    assert CampaignPage.objects.get(
        pk=campaign.pk
    ).get_latest_revision_as_object().message_subject == (campaign.message_subject)

    data.update(message_subject="Hi {first_name}", message_body="From {first_name} in {country}")
    assert client.post(edit_url(campaign), data).status_code == 302


def test_a_goal_of_zero_is_refused_and_empty_means_automatic(client, campaign, editor):
    client.force_login(editor)
    data = form_data(client, campaign)

    data["counter_goal"] = "0"
    response = client.post(edit_url(campaign), data)
    assert response.status_code == 200
    assert "Leave the goal empty for an automatic one" in response.content.decode()

    data["counter_goal"] = ""
    assert client.post(edit_url(campaign), data).status_code == 302


def test_preview_shows_the_real_page_and_the_thank_you(client, campaign, editor):
    client.force_login(editor)
    data = form_data(client, campaign)
    data["lead"] = "A lead only in the preview"
    preview = f"/admin/pages/{campaign.pk}/edit/preview/"

    assert client.post(preview, data).json()["is_valid"]
    html = client.get(preview).content.decode()
    assert "A lead only in the preview" in html
    assert 'class="sign-form"' in html and campaign.ask in html
    thanks = client.get(preview, {"mode": "thank-you"}).content.decode()
    assert "Thank you for taking action" in thanks


def test_copying_a_campaign_copies_targets_and_settings_but_no_signatures(client, site, editor):
    targets = [TargetFactory(), TargetFactory()]
    campaign = CampaignPageFactory(
        parent=site.root_page,
        targets=targets,
        counter_goal=5000,
        phone_field="required",
        consent_text="Keep me posted",
        button_label="Act now",
        head_scripts=SCRIPT,
    )
    Signature.objects.create(
        campaign=campaign, first_name="Ana", last_name="O", email="a@example.org"
    )
    client.force_login(editor)

    response = client.post(
        f"/admin/pages/{campaign.pk}/copy/",
        {
            "new_title": "Copy of the campaign",
            "new_slug": "copy-of-the-campaign",
            "new_parent_page": campaign.get_parent().pk,
            "publish_copies": "",
        },
    )

    assert response.status_code == 302
    copy = CampaignPage.objects.get(slug="copy-of-the-campaign")
    assert copy.targets == targets
    assert (copy.counter_goal, copy.phone_field, copy.consent_text, copy.button_label) == (
        5000,
        "required",
        "Keep me posted",
        "Act now",
    )
    assert copy.head_scripts == SCRIPT
    assert not Signature.objects.filter(campaign=copy).exists()
    assert Signature.objects.filter(campaign=campaign).count() == 1
    assert not copy.live and Page.objects.get(pk=campaign.pk).live


def test_admins_can_grant_the_scripts_permission_to_a_group(admin_client):
    html = admin_client.get(reverse("wagtailusers_groups:add")).content.decode()
    assert "Can add and edit third-party scripts on any page" in html


def test_the_targets_button_says_add_target_in_sentence_case(client, campaign, editor):
    client.force_login(editor)
    html = client.get(edit_url(campaign)).content.decode()
    assert re.search(r">\s*Add target\s*<", html)
    assert "Add Target" not in html


@pytest.fixture
def previewing(client, site, editor):
    """An editor's unsaved changes, sent to the preview as the admin's preview panel does."""
    target = TargetFactory(salutation="The Hon.", name="Minister of Justice")
    campaign = CampaignPageFactory(
        parent=site.root_page, targets=[target], country_field="optional"
    )
    client.force_login(editor)
    data = form_data(client, campaign)
    data.update(
        message_subject="Free them, from {first_name}",
        message_body="I am {first_name} {last_name} and I ask you to free them.",
        thank_you_message="Thanks, only in the preview.",
        confirmation_required="on",
    )
    preview = f"/admin/pages/{campaign.pk}/edit/preview/"
    assert client.post(preview, data).json()["is_valid"]
    return lambda mode: client.get(preview, {"mode": mode})


def test_the_preview_offers_the_emails_beside_the_pages(client, campaign, editor):
    client.force_login(editor)
    html = client.get(edit_url(campaign)).content.decode()
    for label in ("Thank-you page", "Letter to a target", "Confirmation email", "Receipt email"):
        assert label in html


def test_the_letter_preview_is_the_email_a_target_receives_with_sample_details(previewing):
    response = previewing("letter")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Free them, from Alex" in html  # the unsaved subject, filled in
    assert "I am Alex Sample and I ask you to free them." in html
    assert "The Hon. Minister of Justice" in html and "minister" in html  # To: the target
    assert "alex.sample@example.org" in html  # Reply-To: the supporter
    assert "United Kingdom" in html  # the country the form asks, under the signature
    assert "nothing is sent" in html


def test_the_confirmation_and_receipt_previews_are_the_supporters_emails(previewing):
    confirmation = previewing("confirmation-email").content.decode()
    assert "Please confirm your action" in confirmation
    assert "/act/confirm/" in confirmation
    assert "Not sent" not in confirmation  # the unsaved change asks supporters to confirm

    receipt = previewing("receipt").content.decode()
    assert "Your action is on its way" in receipt
    assert "Thanks, only in the preview." in receipt
    assert "- The Hon. Minister of Justice" in receipt
    assert "Not sent: this campaign does not email supporters a receipt." in receipt
    assert not Signature.objects.exists()  # nothing saved, nothing sent


def test_an_editor_publishes_a_campaign_to_representatives_without_targets_of_its_own(
    client, campaign, editor
):
    from tests.factories import DirectoryFactory

    directory = DirectoryFactory(name="House of Commons")
    client.force_login(editor)
    data = form_data(client, campaign)
    data["campaign_targets-0-DELETE"] = "1"
    data["targeting"] = "representative"
    data["action-publish"] = "action-publish"

    response = client.post(edit_url(campaign), data)
    assert response.status_code == 200
    assert "Choose the directory the representatives are found in." in response.content.decode()

    data["directory"] = str(directory.pk)
    assert client.post(edit_url(campaign), data).status_code == 302
    live = CampaignPage.objects.get(pk=campaign.pk)
    assert (live.targeting, live.directory, live.postal_code_field) == (
        "representative",
        directory,
        "required",
    )
    assert live.targets == []


def test_every_preview_shows_a_target_awaiting_approval_and_says_so(client, site, editor):
    """Issue 28, finding 9: the receipt listed nobody, the page dropped its "To" box and
    the letter addressed the draft, without a word about it."""
    drafted = Target.objects.create(name="Office of the Governor", email="g@example.org")
    drafted.unpublish()  # as an editor without the right to publish targets leaves it
    campaign = CampaignPageFactory(parent=site.root_page, send_receipt=True)
    client.force_login(editor)
    data = form_data(client, campaign)
    data["campaign_targets-0-target"] = str(drafted.pk)  # its only target
    preview = f"/admin/pages/{campaign.pk}/edit/preview/"
    assert client.post(preview, data).json()["is_valid"]
    said = "Office of the Governor awaits approval: no letter reaches it until a moderator"

    page = client.get(preview).content.decode()
    letter = client.get(preview, {"mode": "letter"}).content.decode()
    receipt = client.get(preview, {"mode": "receipt"}).content.decode()

    assert re.search(r"To:</p>\s*<ul><li><strong>Office of the Governor</strong>", page)
    assert "Office of the Governor &lt;g@example.org&gt;" in letter
    assert "- Office of the Governor" in receipt
    for html in (page, letter, receipt):
        assert said in html
