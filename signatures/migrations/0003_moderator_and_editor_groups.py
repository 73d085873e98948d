"""Who may see supporters' data: Moderators view, moderate and export signatures; Editors
author campaigns (Wagtail's page, image and document permissions, the Target snippet) and
get no permission on signatures at all.

Wagtail's own initial migrations already create both groups with admin access and page,
image and document permissions; this adds ours on top, creating the groups if missing.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODERATOR_PERMISSIONS = ["view_signature", "moderate_signature", "export_signature"]
EDITOR_SNIPPET_PERMISSIONS = ["add_target", "change_target", "delete_target", "view_target"]


def _permissions(apps, app_label, codenames):
    # Permissions are normally created after all migrations; make them now.
    app_config = apps.get_app_config(app_label)
    app_config.models_module = True  # the migration state's stub lacks it
    create_permissions(app_config, apps=apps, verbosity=0)
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    access_admin = Permission.objects.filter(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    moderators, _ = Group.objects.get_or_create(name="Moderators")
    moderators.permissions.add(
        *access_admin, *_permissions(apps, "signatures", MODERATOR_PERMISSIONS)
    )
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *access_admin, *_permissions(apps, "campaigns", EDITOR_SNIPPET_PERMISSIONS)
    )
    editors.permissions.remove(
        *Permission.objects.filter(content_type__app_label="signatures")
    )


def remove_signature_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Moderators"):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="signatures"))


class Migration(migrations.Migration):
    dependencies = [
        ("signatures", "0002_moderation_privacy_export"),
        ("campaigns", "0001_initial"),
        ("wagtailcore", "0002_initial_data"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailimages", "0002_initial_data"),
        ("wagtaildocs", "0002_initial_data"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_signature_permissions)]
