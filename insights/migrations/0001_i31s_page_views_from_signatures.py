"""PageViewDay moves from signatures to insights: in Django's state only. Its table
(signatures_pageviewday), rows, constraint and foreign key stay as they are."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("campaigns", "0018_i33_milestones"),
        ("signatures", "0029_i33_milestones"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PageViewDay",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("day", models.DateField()),
                        ("dimension", models.CharField(max_length=20)),
                        ("value", models.CharField(blank=True, max_length=253)),
                        ("views", models.PositiveBigIntegerField(default=0)),
                        (
                            "campaign",
                            models.ForeignKey(
                                db_index=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="campaigns.campaignpage",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "page views on a day",
                        "verbose_name_plural": "page views per day",
                        "db_table": "signatures_pageviewday",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("campaign", "dimension", "day", "value"),
                                name="one_view_count_per_day",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
