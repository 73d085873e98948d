"""Wagtail's scheduled publishing runs by itself: beat enqueues it every minute, a worker
publishes what has come due and unpublishes what has expired. (The multi-machine test runs
it through a real beat, broker and worker.)"""

import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from cms.celery import app
from cms.tasks import PUBLISH_SCHEDULED_LOCK
from tests.factories import CampaignPageFactory

pytestmark = pytest.mark.django_db

TASK = "cms.tasks.publish_scheduled"


def schedule_launch(page, at):
    """What an editor does in the admin: a go-live date, then Publish (which approves the
    revision for that date and leaves the page as it is until then)."""
    page.go_live_at = at
    revision = page.save_revision()
    revision.publish()
    return revision


def run_task():
    app.loader.import_default_modules()
    app.tasks[TASK].apply()


def test_beat_runs_scheduled_publishing_every_minute():
    app.loader.import_default_modules()
    [entry] = [entry for entry in app.conf.beat_schedule.values() if entry["task"] == TASK]
    assert entry["schedule"] <= 60
    assert TASK in app.tasks


def test_a_campaign_goes_live_when_its_date_comes_and_closes_when_it_expires(site):
    due = timezone.now() + timedelta(seconds=2)
    launch = CampaignPageFactory(parent=site.root_page, title="Launch on Monday")
    launch.unpublish()
    revision = schedule_launch(launch, due)
    ending = CampaignPageFactory(parent=site.root_page, title="Ends tonight")
    ending.expire_at = due
    ending.save_revision().publish()

    run_task()  # nothing is due yet
    launch.refresh_from_db()
    ending.refresh_from_db()
    assert (launch.live, ending.live) == (False, True)

    time.sleep(max(0, (due - timezone.now()).total_seconds()) + 0.1)
    run_task()

    launch.refresh_from_db()
    ending.refresh_from_db()
    assert launch.live and launch.live_revision_id == revision.pk
    assert not ending.live and ending.expired


def test_a_run_already_under_way_is_not_doubled(site):
    due = timezone.now() + timedelta(seconds=1)
    launch = CampaignPageFactory(parent=site.root_page)
    launch.unpublish()
    schedule_launch(launch, due)
    time.sleep(max(0, (due - timezone.now()).total_seconds()) + 0.1)

    cache.add(PUBLISH_SCHEDULED_LOCK, 1, 60)  # another worker is publishing
    run_task()
    launch.refresh_from_db()
    assert not launch.live

    cache.delete(PUBLISH_SCHEDULED_LOCK)  # it finished (or its lock lapsed)
    run_task()
    launch.refresh_from_db()
    assert launch.live
