"""An editor creates a target from the campaign's target chooser, without leaving the page.

Like every new target, it is a draft until someone who may publish targets publishes it, and
the chooser says so.
"""

import json

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from campaigns.models import Target
from tests.moderation.conftest import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def editor(db):
    return make_user("eddie", "Editors")


def chooser_url(name):
    return reverse(f"{Target.snippet_viewset.chooser_viewset.name}:{name}")


def test_the_target_chooser_offers_to_create_a_draft_target(client, editor):
    client.force_login(editor)
    response = client.get(chooser_url("choose"))
    html = json.loads(response.content)["html"]
    assert "New target" in html
    assert "Save as a draft" in html
    assert "letters reach it only once someone who may publish targets publishes it" in html


def test_an_editor_creates_a_target_from_the_chooser_as_a_draft(client, editor):
    client.force_login(editor)
    response = client.post(
        chooser_url("create"),
        {"salutation": "The Hon.", "name": "Minister of Water", "email": "water@example.gov"},
    )

    answer = json.loads(response.content)
    assert answer["step"] == "chosen"
    assert answer["result"]["string"] == "The Hon. Minister of Water (draft: not yet published)"
    target = Target.objects.get(pk=answer["result"]["id"])
    assert (target.name, target.email) == ("Minister of Water", "water@example.gov")
    assert target.live is False  # receives no letters until published
    assert target.latest_revision.user == editor
    entry = ModelLogEntry.objects.get(object_id=str(target.pk))
    assert (entry.action, entry.user) == ("wagtail.create", editor)


def test_a_target_without_a_name_is_refused_in_the_chooser(client, editor):
    client.force_login(editor)
    response = client.post(chooser_url("create"), {"name": "", "email": "not an address"})

    answer = json.loads(response.content)
    assert answer["step"] == "reshow_creation_form"
    assert "This field is required." in answer["htmlFragment"]
    assert not Target.objects.exists()


def test_someone_who_may_not_add_targets_gets_no_creation_form(client, db):
    moderator = make_user("mona", "Signature moderators")
    client.force_login(moderator)
    assert client.post(chooser_url("create"), {"name": "X"}).status_code in (302, 403)
    assert not Target.objects.exists()
