"""PageViewDay moves to insights (insights/0001): in Django's state only; its table and
rows stay where they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("signatures", "0030_i33u_supporter_updates"),
        ("insights", "0001_i31s_page_views_from_signatures"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="PageViewDay")],
            database_operations=[],
        ),
    ]
