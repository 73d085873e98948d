"""Targets that existed before approval became a step are approved: letters keep reaching
them as before. Publishing a target (approving where letters go), and locking one, is for
Wagtail's "Moderators", who approve and publish pages, so they get to open targets too;
Editors may draft changes only.

Django and Wagtail create a model's permissions after migrating; they are made here, as
those name them, so the group can be given them now.
"""

from django.db import migrations

MODERATOR_CODENAMES = {
    "view_target": "Can view target",
    "change_target": "Can change target",
    "publish_target": "Can publish target",
    "lock_target": "Can lock target",
    "unlock_target": "Can unlock target",
}

#: What only publishers hold: approving where letters go, and freezing a target.
PUBLISHER_CODENAMES = {"publish_target", "lock_target", "unlock_target"}


def _target_permissions(apps, codenames):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label="campaigns", model="target")
    return [
        Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )[0]
        for codename, name in MODERATOR_CODENAMES.items()
        if codename in codenames
    ]


def approve_existing_targets(apps, schema_editor):
    Target = apps.get_model("campaigns", "Target")
    Target.objects.update(live=True, has_unpublished_changes=False)
    Group = apps.get_model("auth", "Group")
    for moderators in Group.objects.filter(name="Moderators"):
        moderators.permissions.add(*_target_permissions(apps, MODERATOR_CODENAMES))
    for editors in Group.objects.filter(name="Editors"):
        editors.permissions.remove(*_target_permissions(apps, PUBLISHER_CODENAMES))


def withdraw_publishers(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for moderators in Group.objects.filter(name="Moderators"):
        moderators.permissions.remove(*_target_permissions(apps, MODERATOR_CODENAMES))


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0006_target_approval"),
        ("signatures", "0003_moderator_and_editor_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(approve_existing_targets, withdraw_publishers)]
