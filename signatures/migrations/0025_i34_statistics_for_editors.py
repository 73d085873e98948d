"""Editors see their campaigns' figures: a permission for the statistics alone (views,
actions, conversion, sources: counts, never a supporter), given to the "Editors" group and to
"Signature moderators" (who saw them already, through view_signature)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = ["Editors", "Signature moderators"]


def _permission(apps):
    # Permissions are normally created after all migrations; make this one now.
    app_config = apps.get_app_config("signatures")
    app_config.models_module = True  # the migration state's stub lacks it
    create_permissions(app_config, apps=apps, verbosity=0)
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.get(content_type__app_label="signatures", codename="view_statistics")


def grant(apps, schema_editor):
    permission = _permission(apps)
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GROUPS):
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(
        content_type__app_label="signatures", codename="view_statistics"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("signatures", "0024_i30_signature_chosen_district")]

    operations = [
        migrations.AlterModelOptions(
            name="signature",
            options={
                "ordering": ["-created_at"],
                "permissions": [
                    ("moderate_signature", "Can approve, reject and invalidate signatures"),
                    ("export_signature", "Can export signatures and answer data requests"),
                    ("view_statistics", "Can see campaigns' statistics (counts, no supporter)"),
                ],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
