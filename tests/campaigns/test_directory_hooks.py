"""A directory's import asks the app that writes letters (signatures) about the letters to
those it removes, through Wagtail hooks: at most one each; with none, no letter is owed."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from wagtail import hooks

from campaigns import directory_hooks
from campaigns.directory_import import import_directory, read_csv
from campaigns.models import Target
from signatures.services import letters_owed
from tests.factories import DirectoryFactory, representative

HEADER = "postal_code,name,salutation,email,district,party,language\n"
ASKED = (
    directory_hooks.LETTERS_OWED,
    directory_hooks.LETTERS_HELD,
    directory_hooks.HAND_OVER_LETTERS,
    directory_hooks.WRITTEN_TO,
)


def test_signatures_answers_each_question():
    assert hooks.get_hooks(directory_hooks.LETTERS_OWED) == [letters_owed.letters_owed]
    assert hooks.get_hooks(directory_hooks.LETTERS_HELD) == [letters_owed.letters_held]
    assert hooks.get_hooks(directory_hooks.HAND_OVER_LETTERS) == [letters_owed.hand_over]
    assert hooks.get_hooks(directory_hooks.WRITTEN_TO) == [letters_owed.written_to]


def test_two_apps_answering_stops_the_import():
    with hooks.register_temporarily(directory_hooks.LETTERS_OWED, lambda targets: {}):
        with pytest.raises(ImproperlyConfigured, match="2 apps answer"):
            directory_hooks.letters_owed([])


@pytest.mark.django_db
def test_with_no_app_writing_letters_none_is_owed_and_a_replace_removes_who_left(
    campaign, monkeypatch
):
    from signatures.models import Delivery, Signature

    directory = DirectoryFactory(name="House")
    bob = representative(directory, "Bob West", ["K2P"], district="West")
    signature = Signature.objects.create(
        campaign=campaign, first_name="S", last_name="T", email="s@example.org", email_key="s"
    )
    Delivery.objects.create(signature=signature, target=bob)
    csv = HEADER + "K2P,Cy New,,cy@x.org,West,,\n"
    answered = hooks.get_hooks
    monkeypatch.setattr(hooks, "get_hooks", lambda name: [] if name in ASKED else answered(name))

    preview = import_directory("House", read_csv(csv), replace=True, dry_run=True)
    assert preview.leaving == ["Bob West (West)"]
    assert preview.successors == [] and preview.held == []

    Delivery.objects.all().delete()  # no app, no letters
    report = import_directory("House", read_csv(csv), replace=True)
    assert report.removed == 1 and not Target.objects.filter(pk=bob.pk).exists()
