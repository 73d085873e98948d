from django.db import migrations, models


class Migration(migrations.Migration):
    """One record for both kinds of data-protection request (erasure, subject access)."""

    dependencies = [("signatures", "0003_moderator_and_editor_groups")]

    operations = [
        migrations.RenameModel("ErasureRequest", "DataRequest"),
        migrations.RenameField("datarequest", "signatures_erased", "signatures"),
        migrations.RenameField("datarequest", "deliveries_erased", "deliveries"),
        migrations.AddField(
            model_name="datarequest",
            name="kind",
            field=models.CharField(
                choices=[("erasure", "erasure"), ("access", "subject access")],
                default="erasure",
                max_length=10,
            ),
        ),
        migrations.AlterModelOptions(
            name="datarequest",
            options={"ordering": ["-requested_at"], "verbose_name": "data-protection request"},
        ),
    ]
