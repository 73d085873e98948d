"""Staff and updates: Editors draft, Moderators publish, pause and resume; the sending's
screen shows counts only, to those who may edit the campaign or see signatures."""

import pytest
from django.urls import reverse

from signatures.models import UpdateMailing
from tests.moderation.conftest import make_user

from .conftest import publish_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailing(campaign, supporters, settings):
    settings.CLARION_SURGE_MODE = True  # queued, not sent: pause and resume have work to do
    return UpdateMailing.objects.get(update=publish_update(campaign))


def test_editors_draft_updates_and_moderators_publish_them(db):
    editor, publisher = make_user("eddie", "Editors"), make_user("maud", "Moderators")
    assert editor.has_perm("signatures.add_campaignupdate")
    assert not editor.has_perm("signatures.publish_campaignupdate")
    assert publisher.has_perm("signatures.publish_campaignupdate")
    assert not make_user("mona", "Signature moderators").has_perm("signatures.add_campaignupdate")


@pytest.mark.parametrize("group", ["Editors", "Moderators", "Signature moderators"])
def test_the_sending_screen_shows_counts_and_no_supporter(client, campaign, mailing, group):
    client.force_login(make_user("staff", group))
    page = client.get(reverse("delivery_admin:update_sending", args=[campaign.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "The minister agreed to meet us" in html
    assert "@example.org" not in html and "Ana" not in html
    assert ('value="pause"' in html) == (group == "Moderators")


def test_whoever_may_not_edit_the_campaign_nor_see_signatures_is_refused(client, campaign, mailing):
    from django.contrib.auth.models import Permission

    nobody = make_user("nobody")  # in the admin, but with no right on this campaign
    nobody.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(nobody)
    assert (
        client.get(reverse("delivery_admin:update_sending", args=[campaign.pk])).status_code == 403
    )


@pytest.mark.parametrize("group", ["Editors", "Signature moderators"])
def test_only_those_who_publish_updates_pause_them(client, mailing, group):
    client.force_login(make_user("staff", group))
    url = reverse("delivery_admin:update_pause_or_resume", args=[mailing.pk])
    assert client.post(url, {"action": "pause"}).status_code == 403
    mailing.refresh_from_db()
    assert mailing.state == UpdateMailing.State.SENDING


def test_the_campaign_editor_has_a_button_to_the_sending(client, campaign):
    client.force_login(make_user("maud", "Moderators"))
    page = client.get(reverse("wagtailadmin_pages:edit", args=[campaign.pk]))
    assert reverse("delivery_admin:update_sending", args=[campaign.pk]) in page.content.decode()
