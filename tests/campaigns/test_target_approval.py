"""Where supporters' letters go is guarded like publishing (issue 15, finding 1).

An editor's change to a target is a draft: the next letter still goes to the approved
address, the page and the API still show the approved target, until someone who may
publish targets (Wagtail's "Moderators") publishes it. Every step is in the audit log.
"""

from email.utils import parseaddr

import pytest
from django.core import mail
from django.urls import reverse
from wagtail.models import ModelLogEntry

from campaigns.models import CampaignPage, CampaignTarget, Target
from signatures.models import Delivery, Signature
from signatures.services import delivery, dispatch
from tests.campaigns.conftest import make_editor
from tests.campaigns.test_editor import edit_url as page_edit_url
from tests.campaigns.test_editor import form_data, second_target
from tests.factories import SUPPORTER, CampaignPageFactory, TargetFactory
from tests.moderation.conftest import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

APPROVED = "minister@water.example.gov"
ATTACKER = "collect@attacker.example"


@pytest.fixture
def target(db):
    return TargetFactory(salutation="The Hon.", name="Minister of Water", email=APPROVED)


@pytest.fixture
def campaign(site, target):
    return CampaignPageFactory(parent=site.root_page, targets=[target])


@pytest.fixture
def editor(db):
    return make_user("eddie", "Editors")


@pytest.fixture
def publisher(db):
    return make_user("pat", "Moderators")


def edit_url(target):
    return reverse(Target.snippet_viewset.get_url_name("edit"), args=[target.pk])


def target_form(target, **changes):
    fields = {
        "salutation": target.salutation,
        "name": target.name,
        "email": target.email,
        "country": target.country.code or "",
        "max_per_minute": target.max_per_minute or "",
    }
    return fields | changes


def save_as(client, user, target, **changes):
    """The snippet's edit form as `user` sends it, asking to publish."""
    client.force_login(user)
    response = client.post(
        edit_url(target), target_form(target, **changes) | {"action-publish": "action-publish"}
    )
    client.logout()
    return response


def sign(client, campaign, django_capture_on_commit_callbacks, email="ana@example.org"):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("signatures:sign", args=[campaign.pk]), SUPPORTER | {"email": email}
        )
    assert response.status_code == 302
    return [parseaddr(address)[1] for message in mail.outbox for address in message.to]


def test_an_editors_address_change_does_not_redirect_the_next_letter(
    client, campaign, target, editor, django_capture_on_commit_callbacks
):
    response = save_as(client, editor, target, name="Minister of Leaks", email=ATTACKER)

    assert response.status_code == 302  # saved, as a draft awaiting approval
    assert sign(client, campaign, django_capture_on_commit_callbacks) == [APPROVED]
    assert not any(ATTACKER in str(message.message()) for message in mail.outbox)
    target.refresh_from_db()
    assert (target.email, target.live, target.has_unpublished_changes) == (APPROVED, True, True)
    assert target.get_latest_revision_as_object().email == ATTACKER
    # The page and the API show the approved target (and never an address).
    page = client.get(campaign.url).content.decode()
    assert "Minister of Water" in page and "Minister of Leaks" not in page
    api = client.get(f"/api/v3/campaigns/{campaign.pk}/").json()
    assert api["action"]["targets"] == [{"salutation": "The Hon.", "name": "Minister of Water"}]
    assert APPROVED not in page + str(api) and ATTACKER not in page + str(api)


def test_a_publishers_approval_redirects_the_next_letter_and_the_log_says_who_and_when(
    client, campaign, target, editor, publisher, django_capture_on_commit_callbacks
):
    new_address = "minister@new-ministry.example.gov"
    save_as(client, editor, target, email=new_address)
    assert sign(client, campaign, django_capture_on_commit_callbacks) == [APPROVED]

    client.force_login(publisher)
    opened = client.get(edit_url(target)).content.decode()
    assert new_address in opened  # the publisher sees the draft they approve
    client.logout()
    assert save_as(client, publisher, target, email=new_address).status_code == 302

    target.refresh_from_db()
    assert (target.email, target.has_unpublished_changes) == (new_address, False)
    assert sign(client, campaign, django_capture_on_commit_callbacks, "bo@example.org") == [
        new_address
    ]
    entries = ModelLogEntry.objects.for_instance(target).order_by("timestamp", "pk")
    steps = [(entry.action, entry.user_id) for entry in entries]
    assert steps == [
        ("wagtail.edit", editor.pk),  # the draft: who asked for the new address
        ("wagtail.edit", publisher.pk),
        ("wagtail.publish", publisher.pk),  # who approved it
    ]
    assert all(entry.timestamp for entry in entries)
    drafted, _, published = entries
    assert drafted.revision.content["email"] == new_address
    assert published.revision.content["email"] == new_address


def test_editors_may_not_publish_targets_and_moderators_may(editor, publisher):
    assert not editor.has_perm("campaigns.publish_target")
    assert editor.has_perm("campaigns.change_target")
    assert publisher.has_perm("campaigns.publish_target")


def test_a_target_an_editor_adds_receives_no_letters_until_published(
    client, site, editor, publisher, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    response = client.post(
        reverse(Target.snippet_viewset.get_url_name("add")),
        {"name": "Governor", "email": ATTACKER, "action-publish": "action-publish"},
    )
    assert response.status_code == 302
    drafted = Target.objects.get(name="Governor")
    assert not drafted.live
    # A campaign published with it anyway (say a workflow approved the page, which checks no
    # form): the draft target is neither shown nor written to.
    campaign = CampaignPageFactory(parent=site.root_page)
    campaign.campaign_targets.add(CampaignTarget(target=drafted))
    campaign.save_revision().publish()
    campaign = CampaignPage.objects.get(pk=campaign.pk)
    assert drafted not in campaign.targets

    recipients = sign(client, campaign, django_capture_on_commit_callbacks)

    assert len(recipients) == 1 and ATTACKER not in recipients
    assert not Delivery.objects.filter(target=drafted).exists()
    assert "Governor" not in client.get(campaign.url).content.decode()

    drafted.save_revision(user=publisher).publish(user=publisher)
    assert ATTACKER in sign(client, campaign, django_capture_on_commit_callbacks, "bo@example.org")


def test_a_letter_owed_to_a_target_unpublished_since_is_not_sent(
    client, campaign, target, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # the letter's task waits
        client.post(reverse("signatures:sign", args=[campaign.pk]), SUPPORTER)
        dispatch.dispatch_signature(Signature.objects.get().pk)
    target.unpublish()
    mail.outbox.clear()

    delivery.deliver_letter(Delivery.objects.get().pk)

    assert not mail.outbox
    owed = Delivery.objects.get()
    assert owed.state == Delivery.State.FAILED
    assert "unpublished" in owed.last_error


def test_a_campaign_submitted_with_an_editors_new_target_is_approved_with_it_in_one_place(
    client, campaign, editor, publisher, django_capture_on_commit_callbacks
):
    """Issue 28, finding 7: the submission failed on the draft target, and moderators were
    never told a target waited. Now the target travels with the campaign."""
    new_address = "governor@state.example.gov"
    client.force_login(editor)
    client.post(
        reverse(Target.snippet_viewset.get_url_name("add")),
        {"name": "Governor", "email": new_address, "action-publish": "action-publish"},
    )
    drafted = Target.objects.get(name="Governor")
    assert not drafted.live
    data = form_data(client, campaign)
    data.update(second_target(drafted), **{"action-submit": "action-submit"})

    response = client.post(page_edit_url(campaign), data, follow=True)

    assert response.redirect_chain  # submitted, not refused
    told = [str(message) for message in response.context["messages"]]
    assert any(
        "Governor" in message and "moderator" in message and "publishes" in message
        for message in told
    ), told
    assert campaign.workflow_in_progress
    client.logout()

    # The moderator is told, where they review the page, that the target waits on them.
    client.force_login(publisher)
    review = client.get(page_edit_url(campaign)).content.decode()
    assert "Governor" in review and new_address in review and "awaits approval" in review
    task_state = campaign.current_workflow_task_state
    response = client.post(
        reverse("wagtailadmin_pages:workflow_action", args=[campaign.pk, "approve", task_state.pk]),
        {"comment": ""},
    )
    assert response.status_code in (200, 302)
    client.logout()

    drafted.refresh_from_db()
    assert drafted.live and not drafted.has_unpublished_changes
    assert ModelLogEntry.objects.filter(
        object_id=str(drafted.pk), action="wagtail.publish", user=publisher
    ).exists()
    live = CampaignPage.objects.get(pk=campaign.pk)
    assert drafted in live.targets
    assert new_address in sign(client, live, django_capture_on_commit_callbacks)


def test_an_editor_who_publishes_with_a_new_target_is_told_to_submit_it_instead(
    client, site, campaign, django_user_model
):
    drafted = Target.objects.create(name="Governor", email="g@example.org", live=False)
    client.force_login(make_editor(django_user_model, site, "penny"))  # may publish pages
    data = form_data(client, campaign)
    data.update(second_target(drafted), **{"action-publish": "action-publish"})

    html = client.post(page_edit_url(campaign), data).content.decode()

    assert "These targets are not published yet" in html
    assert "Submit the campaign for moderation" in html
    # Shown on the Action tab, beside the target (whose errors the tab counts), not only
    # above the form.
    start = html.index('id="tab-action"')
    action_tab = html[start : html.index('id="tab-thank_you"', start)]
    assert "Submit the campaign for moderation" in action_tab


def test_a_moderator_who_publishes_a_campaign_publishes_its_new_target_with_it(
    client, campaign, publisher
):
    drafted = Target.objects.create(name="Governor", email="g@example.org", live=False)
    client.force_login(publisher)
    data = form_data(client, campaign)
    data.update(second_target(drafted), **{"action-publish": "action-publish"})

    assert client.post(page_edit_url(campaign), data).status_code == 302

    drafted.refresh_from_db()
    assert drafted.live
    assert drafted in CampaignPage.objects.get(pk=campaign.pk).targets
