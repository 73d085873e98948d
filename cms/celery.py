import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")

app = Celery("cms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Data protection: once a night, anonymise what is past its retention period.
app.conf.beat_schedule["apply-retention"] = {
    "task": "signatures.tasks.apply_retention",
    "schedule": crontab(hour=3, minute=17),
}
