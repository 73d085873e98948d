"""Migration 0014 gives supporters' data a group of its own without taking access from
anyone who had it."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

BEFORE = [("signatures", "0013_withheld_letters_and_receipt_sent")]
AFTER = [("signatures", "0014_signature_moderators_group")]


@pytest.mark.django_db(transaction=True)
def test_page_moderators_keep_their_access_in_the_new_group_and_the_group_loses_it(migrate_to):
    migrate_to(BEFORE)
    # As migration 0003 left Wagtail's group (an earlier transactional test may have
    # flushed the rows that migrations wrote).
    moderators, _ = Group.objects.get_or_create(name="Moderators")
    moderators.permissions.add(
        *Permission.objects.filter(
            codename__in=[
                "access_admin",
                "view_signature",
                "moderate_signature",
                "export_signature",
            ]
        )
    )
    mona = get_user_model().objects.create_user("mona", "m@staff.example", "pw")
    mona.groups.add(moderators)
    assert mona.has_perm("signatures.view_signature")

    migrate_to(AFTER)

    mona = get_user_model().objects.get(pk=mona.pk)  # permissions are cached per instance
    assert mona.has_perm("signatures.export_signature")
    assert set(mona.groups.values_list("name", flat=True)) == {"Moderators", "Signature moderators"}
    pam = get_user_model().objects.create_user("pam", "p@staff.example", "pw")
    pam.groups.add(moderators)
    assert not pam.has_perm("signatures.view_signature")
    assert pam.has_perm("wagtailadmin.access_admin")
