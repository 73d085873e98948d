import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_process_init

from signatures import task_names
from signatures.dispatcher import OutboxDispatcher

# Workers and beat run production settings unless told otherwise (see wsgi.py); manage.py,
# which `make run` uses, sets the development ones before this module is imported.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.production")

app = Celery("cms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Every worker hands new actions over from the outbox: requests publish nothing.
app.steps["worker"].add(OutboxDispatcher)


@worker_process_init.connect
def finish_sends_in_hand_when_the_worker_dies(**kwargs):
    from signatures.services import send_guard

    send_guard.exit_with_parent_after_sending()


# Run with `celery -A cms beat` (one beat process per site) beside the workers.
app.conf.beat_schedule = {
    # Readiness (/health/) checks that beat, the broker and a worker keep this fresh.
    "heartbeat": {"task": "cms.tasks.heartbeat", "schedule": 30.0},
    # Wagtail's scheduled publishing: campaigns (and targets) go live and expire on the
    # dates their editors set.
    "publish-scheduled": {"task": "cms.tasks.publish_scheduled", "schedule": 60.0},
    # The outbox: re-enqueue signatures and deliveries a dead broker or worker left behind.
    "sweep-outbox": {"task": task_names.SWEEP_OUTBOX, "schedule": 60.0},
    # Webhook POSTs the broker never received, or whose retry it lost, are queued again.
    "sweep-webhooks": {"task": task_names.SWEEP_WEBHOOKS, "schedule": 300.0},
    # Page views counted in Redis go to the database's daily rows, a minute at a time.
    "flush-page-views": {"task": task_names.FLUSH_PAGE_VIEWS, "schedule": 60.0},
    # Digest campaigns: each target's email goes out when its period has passed.
    "send-digests": {"task": task_names.SEND_DIGESTS, "schedule": 60.0},
    # Data protection: once a night, anonymise what is past its retention period.
    "apply-retention": {
        "task": task_names.APPLY_RETENTION,
        "schedule": crontab(hour=3, minute=17),
    },
}
