"""Editors and Moderators may use "Translate this page" (wagtail-localize's
submit_translation permission). What it makes is a draft (issue 28, finding 3): an Editor
submits it for moderation, a Moderator publishes it, as with any page."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = ("Editors", "Moderators")


def _submit_translation(apps):
    # Permissions are normally created after all migrations; make them now.
    app_config = apps.get_app_config("wagtail_localize")
    app_config.models_module = True  # the migration state's stub lacks it
    create_permissions(app_config, apps=apps, verbosity=0)
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(
        content_type__app_label="wagtail_localize", codename="submit_translation"
    )


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    permissions = list(_submit_translation(apps))
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    permissions = list(_submit_translation(apps))
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0011_i28a_scripts_follow_the_source"),
        ("signatures", "0003_moderator_and_editor_groups"),
        ("wagtail_localize", "0016_rename_page_revision_translationlog_revision"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
