"""Readiness (/health/) names each check and answers 200 or 503, never 500; liveness
(/health/live/) depends on nothing."""

import json
import logging
import socket
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from cms import health
from cms.base.models import Heartbeat
from signatures.models import Delivery, Signature
from tests.factories import TargetFactory

pytestmark = pytest.mark.postgres

CHECKS = {"database", "cache", "broker", "outbox", "beat"}


@pytest.fixture
def closed_port():
    """A port held bound but not listening, so a connection to it is refused for certain
    (a port that was merely free when the module loaded may since serve another test)."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield held.getsockname()[1]


def readiness(client):
    response = client.get("/health/")
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    return response.status_code, json.loads(response.content)


def failing(report) -> set[str]:
    return {name for name, check in report["checks"].items() if not check["ok"]}


@pytest.fixture(autouse=True)
def _every_check_passing_before(monkeypatch):
    monkeypatch.setattr(health, "_failing", {})


@pytest.fixture
def broker(settings, db):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/6"
    Heartbeat.objects.create(name="beat", beat_at=timezone.now())
    return settings


def test_ready_when_every_check_passes(client, db, settings):
    settings.CELERY_BROKER_URL = ""  # tasks in-process: no broker, no beat to wait for

    status, report = readiness(client)

    assert status == 200
    assert report["status"] == "ok"
    assert set(report["checks"]) == CHECKS
    assert not failing(report)


@pytest.mark.redis
def test_ready_with_a_broker_and_a_fresh_heartbeat(client, broker):
    status, report = readiness(client)

    assert (status, failing(report)) == (200, set())


def test_a_broker_that_refuses_connections_makes_it_unready(client, broker, closed_port):
    broker.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port}/0"

    status, report = readiness(client)

    assert status == 503
    assert report["status"] == "unavailable"
    assert failing(report) == {"broker"}
    assert report["checks"]["broker"]["error"] == "the broker does not accept connections"


def test_a_stale_or_missing_heartbeat_makes_it_unready(client, broker):
    broker.CLARION_HEARTBEAT_MAX_AGE = 60
    Heartbeat.objects.filter(name="beat").update(beat_at=timezone.now() - timedelta(seconds=61))

    status, report = readiness(client)
    assert (status, failing(report)) == (503, {"beat"})
    assert "limit 60 s" in report["checks"]["beat"]["error"]

    Heartbeat.objects.all().delete()
    status, report = readiness(client)
    assert (status, report["checks"]["beat"]["error"]) == (503, "no heartbeat from beat yet")


def test_an_old_outbox_backlog_makes_it_unready(client, campaign, broker):
    broker.CLARION_OUTBOX_MAX_AGE = 300
    signature = Signature.objects.create(
        campaign=campaign,
        first_name="Ana",
        last_name="Okonjo",
        email="ana@example.org",
        email_key="ana@example.org",
        status=Signature.Status.COUNTED,
        dispatched_at=timezone.now(),
    )
    delivery = Delivery.objects.create(
        signature=signature, target=TargetFactory(), due_at=timezone.now() - timedelta(seconds=200)
    )
    assert readiness(client)[0] == 200  # waiting, but not for too long

    Delivery.objects.filter(pk=delivery.pk).update(due_at=timezone.now() - timedelta(seconds=400))
    status, report = readiness(client)

    assert (status, failing(report)) == (503, {"outbox"})
    assert report["checks"]["outbox"]["error"].startswith("1 items wait for a worker")
    assert "ana" not in json.dumps(report).lower()


def test_a_database_that_is_down_gives_503_and_json_not_500(client, db, closed_port):
    database = connections["default"]
    kept = dict(database.settings_dict)
    database.close()
    database.settings_dict["PORT"] = closed_port
    try:
        status, report = readiness(client)
        live = client.get("/health/live/")
    finally:
        database.settings_dict.update(kept)
        database.close()

    assert status == 503
    assert {"database", "outbox"} <= failing(report)
    # What failed, not where: no host, port or driver message.
    assert str(closed_port) not in json.dumps(report)
    assert "127.0.0.1" not in json.dumps(report)
    assert live.status_code == 200  # liveness checks nothing but the process


def test_a_check_that_crashes_is_reported_not_a_500(client, broker, monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("something unforeseen")

    monkeypatch.setattr("cms.health.backlog", crash)

    status, report = readiness(client)

    assert (status, failing(report)) == (503, {"outbox"})
    assert "unforeseen" not in json.dumps(report)


def test_liveness_answers_without_touching_any_service(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/health/live/")

    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}


def test_a_failure_is_logged_once_when_it_starts_and_once_when_it_ends(
    client, broker, caplog, closed_port
):
    # A load balancer probes every few seconds: one WARNING when the broker goes, one INFO
    # when it is back, nothing in between; never an ERROR (a 503 here is an answer).
    working = broker.CELERY_BROKER_URL
    broker.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port}/0"
    with caplog.at_level(logging.DEBUG):
        down = [readiness(client) for _ in range(3)]
        broker.CELERY_BROKER_URL = working
        back = [readiness(client) for _ in range(2)]

    assert [status for status, _ in down] == [503] * 3
    assert all(failing(report) == {"broker"} for _, report in down)
    assert [status for status, _ in back] == [200] * 2
    said = [
        (record.levelname, record.getMessage())
        for record in caplog.records
        if record.levelno >= logging.WARNING or record.name == "cms.health"
    ]
    assert said == [
        ("WARNING", "readiness: broker fails: the broker does not accept connections"),
        ("INFO", "readiness: broker passes again"),
    ]
    [warning] = [record for record in caplog.records if record.levelname == "WARNING"]
    assert warning.exc_info[0].__name__ == "OperationalError"  # the cause, for the operator


def test_a_database_that_is_down_is_logged_once_and_never_as_an_error(
    client, db, caplog, closed_port
):
    database = connections["default"]
    kept = dict(database.settings_dict)
    database.close()
    database.settings_dict["PORT"] = closed_port
    try:
        with caplog.at_level(logging.DEBUG):
            answers = [readiness(client) for _ in range(3)]
    finally:
        database.settings_dict.update(kept)
        database.close()

    assert [status for status, _ in answers] == [503] * 3
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    failures = sorted(
        record.getMessage().split(":")[1].split()[0]
        for record in caplog.records
        if record.name == "cms.health"
    )
    assert failures == sorted(failing(answers[0][1]))  # each failing check once, not thrice
