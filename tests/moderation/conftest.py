import itertools

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from signatures.models import Signature
from tests.factories import CampaignPageFactory

_numbers = itertools.count(1)


def make_user(name, group=None, superuser=False):
    User = get_user_model()
    if superuser:
        return User.objects.create_superuser(name, f"{name}@staff.example", "pw")
    user = User.objects.create_user(name, f"{name}@staff.example", "pw")
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def moderator(db):
    return make_user("mona", "Signature moderators")


@pytest.fixture
def editor(db):
    return make_user("eddie", "Editors")


@pytest.fixture
def moderator_client(client, moderator, site):
    client.force_login(moderator)
    return client


@pytest.fixture
def editor_client(client, editor, site):
    client.force_login(editor)
    return client


@pytest.fixture
def water(site):
    return CampaignPageFactory(parent=site.root_page, title="Water")


@pytest.fixture
def press(site):
    return CampaignPageFactory(parent=site.root_page, title="Press")


def add_signature(campaign, **fields) -> Signature:
    """A signature row as the sign service leaves it (without the email side effects)."""
    n = next(_numbers)
    fields.setdefault("email", f"supporter{n}@example.org")
    fields.setdefault("first_name", f"First{n}")
    fields.setdefault("last_name", f"Last{n}")
    from signatures.emails import email_key

    return Signature.objects.create(
        campaign=campaign, email_key=email_key(fields["email"]), **fields
    )
