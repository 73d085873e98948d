"""Supporters' data gets a group of its own: "Signature moderators" may view, moderate and
export signatures (and answer data-protection requests).

Wagtail's own "Moderators" group is the one that approves and publishes pages; it had these
rights too (0003), so making someone a content approver also showed them every supporter.
Its members are added to the new group, so nobody loses access now; whoever is made a page
moderator from now on does not gain it.
"""

from django.db import migrations

GROUP = "Signature moderators"
CODENAMES = ["view_signature", "moderate_signature", "export_signature"]


def _permissions(apps):
    Permission = apps.get_model("auth", "Permission")
    signatures = Permission.objects.filter(
        content_type__app_label="signatures", codename__in=CODENAMES
    )
    access_admin = Permission.objects.filter(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    return signatures, access_admin


def separate(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    signatures, access_admin = _permissions(apps)
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(*signatures, *access_admin)
    for moderators in Group.objects.filter(name="Moderators"):
        group.user_set.add(*moderators.user_set.all())
        moderators.permissions.remove(*signatures)


def join(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    signatures, _ = _permissions(apps)
    for moderators in Group.objects.filter(name="Moderators"):
        moderators.permissions.add(*signatures)
    Group.objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [("signatures", "0013_withheld_letters_and_receipt_sent")]

    operations = [migrations.RunPython(separate, join)]
