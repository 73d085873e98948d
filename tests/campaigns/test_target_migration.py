"""Targets made before approval became a step stay approved, and only Wagtail's
"Moderators" may approve where letters go from then on."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

BEFORE = [("campaigns", "0005_plural_names")]
AFTER = [("campaigns", "0007_targets_live_and_their_publishers")]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_existing_targets_become_live_and_only_moderators_may_publish_them(migrate_to):
    old_apps = migrate_to(BEFORE)
    old_target = old_apps.get_model("campaigns", "Target").objects.create(
        name="Minister of Water", email="minister@example.org"
    )
    # As Wagtail's and our migrations leave the groups (an earlier transactional test may
    # have flushed the rows that migrations wrote).
    moderators, _ = Group.objects.get_or_create(name="Moderators")
    editors, _ = Group.objects.get_or_create(name="Editors")

    new_apps = migrate_to(AFTER)

    # As the model was then: later migrations add columns the current model reads.
    target = new_apps.get_model("campaigns", "Target").objects.get(pk=old_target.pk)
    assert (target.live, target.has_unpublished_changes) == (True, False)
    users = get_user_model().objects
    pat, eddie = users.create_user("pat", "p@staff.example"), users.create_user("ed", "e@x.ex")
    pat.groups.add(moderators)
    eddie.groups.add(editors)
    for codename in ("publish_target", "change_target", "lock_target", "unlock_target"):
        assert pat.has_perm(f"campaigns.{codename}"), codename
    assert not eddie.has_perm("campaigns.publish_target")
