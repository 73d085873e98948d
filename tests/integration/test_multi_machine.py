"""More than one machine: two gunicorn instances (separate processes, each with its own
in-process state), two Celery workers and one beat, sharing only PostgreSQL, the Redis cache
and the broker: Redis, and again RabbitMQ. Actions are taken through both web servers:
the counter is exact on both, each letter goes once, the rate limit is one for all,
readiness sees beat's heartbeat through either, and beat's scheduled publishing takes a
campaign live."""

import collections
import http.client
import json
import sys
import time
import uuid
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.utils import timezone
from kombu import Connection

from bench.servers import CeleryWorker, Gunicorn, Process, app_env
from signatures.models import Delivery, Signature
from tests.availability import RABBITMQ_URL
from tests.factories import CampaignPageFactory, TargetFactory

from .conftest import database_url

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

ACTIONS = 24  # each from its own address, through both servers in turn
RATE_LIMIT = 3  # actions per address per 5 minutes


class Beat(Process):
    def __init__(self, env, log, schedule):
        super().__init__(log)
        self.env, self.schedule = env, schedule

    def start(self, timeout=120):
        self.log.write_text("")
        self.spawn(
            [sys.executable, "-m", "celery", "-A", "cms", "beat", "-s", str(self.schedule)]
            + ["-l", "INFO"],
            self.env,
        )
        deadline = time.monotonic() + timeout
        while "beat: Starting" not in self.log.read_text():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"beat did not start:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.1)


def call(port, method, path, body=None, forwarded_for=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    try:
        connection.request(method, path, body, headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def act(port, campaign_id, email, address):
    body = urlencode({"first_name": "Ana", "last_name": "Okonjo", "email": email})
    return call(port, "POST", f"/act/{campaign_id}/", body, forwarded_for=address)[0]


def eventually(check, timeout=90, interval=0.5):
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(interval)


def remove_queue(broker_url, queue):
    """Drop the test's queue (and the exchange of its name) from a broker shared with others."""
    with Connection(broker_url, connect_timeout=5) as broker:
        channel = broker.default_channel
        channel.queue_delete(queue)
        channel.exchange_delete(queue)


@pytest.fixture(
    params=["redis", pytest.param("rabbitmq", marks=pytest.mark.rabbitmq)],
)
def cluster(request, transactional_db, smtp_server, broker, tmp_path):
    """Web A and B, workers 1 and 2, one beat; the cache on a Redis of the test's own, the
    broker that Redis too or RabbitMQ (a queue of the test's own there)."""
    on_rabbitmq = request.param == "rabbitmq"
    broker_url = RABBITMQ_URL if on_rabbitmq else broker.url(0)
    queue = f"clarion-multi-{uuid.uuid4().hex[:12]}"
    env = app_env(
        database_url(),
        broker_url,
        queue=queue,
        smtp=smtp_server,
        cache_url=broker.url(1),  # the cache stays on Redis: counter, rate limit, pages
        CLARION_RATE_LIMIT=f"{RATE_LIMIT}/300",
        CLARION_TRUSTED_PROXIES="1",  # each test client's address in X-Forwarded-For
    )
    webs = [Gunicorn(env, tmp_path / f"web-{name}.log", workers=1) for name in "AB"]
    workers = [CeleryWorker(env, tmp_path / f"worker-{n}.log", queue) for n in (1, 2)]
    beat = Beat(env, tmp_path / "beat.log", tmp_path / "beat-schedule")
    processes = [*webs, *workers, beat]
    try:
        # One after another: Celery workers started from threads of this process at the
        # same moment came up "ready" but never consumed a message.
        for process in processes:
            process.start()
        yield webs, workers
    finally:
        for process in processes:
            process.stop()
        if on_rabbitmq:
            remove_queue(broker_url, queue)


@pytest.mark.django_db(transaction=True)
def test_two_web_servers_two_workers_and_one_beat_share_one_state(cluster, site, smtp_server):
    (web_a, web_b), workers = cluster
    campaign = CampaignPageFactory(parent=site.root_page, targets=[TargetFactory()])
    servers = [web_a.port, web_b.port]
    # A campaign an editor scheduled to launch in a moment: beat's publish_scheduled must
    # reach a worker through the broker for it to go live.
    launch = CampaignPageFactory(parent=site.root_page, title="Launching soon")
    launch.unpublish()
    launch.go_live_at = timezone.now() + timedelta(seconds=5)
    launch.save_revision().publish()
    assert not type(launch).objects.get(pk=launch.pk).live

    answers = [
        act(servers[i % 2], campaign.pk, f"supporter{i}@example.org", f"198.51.100.{i + 1}")
        for i in range(ACTIONS)
    ]
    assert collections.Counter(answers) == {302: ACTIONS}

    # One address, through both servers in turn: one limit for the two of them.
    limited = [
        act(servers[i % 2], campaign.pk, f"repeat{i}@example.org", "203.0.113.77")
        for i in range(2 * RATE_LIMIT)
    ]
    assert limited == [302] * RATE_LIMIT + [429] * RATE_LIMIT
    taken = ACTIONS + RATE_LIMIT

    # Each letter goes once, whichever worker took it.
    assert eventually(
        lambda: Delivery.objects.filter(state=Delivery.State.SENT).count() == taken
    ), Delivery.objects.values_list("state", "last_error")[:5]
    letters = smtp_server.wait_for(taken)
    time.sleep(2)  # a second copy, if any, would have arrived by now
    ids = [letter["Message-ID"] for letter in smtp_server.messages]
    assert len(ids) == len(set(ids)) == taken, collections.Counter(ids).most_common(3)
    assert len(letters) == taken
    assert Signature.objects.filter(campaign=campaign).count() == taken
    for worker in workers:  # both took their share
        assert "signatures.tasks.deliver" in worker.log.read_text()

    # The counter is exact on both servers.
    def counts():
        return [
            json.loads(call(port, "GET", f"/api/v3/campaigns/{campaign.pk}/counter/")[1])["count"]
            for port in servers
        ]

    assert eventually(lambda: counts() == [taken, taken], timeout=30), counts()

    # Readiness on either server: beat's heartbeat reached a worker through the broker.
    def ready():
        return [call(port, "GET", "/health/") for port in servers]

    assert eventually(lambda: all(status == 200 for status, _ in ready()), timeout=60), ready()
    report = json.loads(ready()[0][1])
    assert report["checks"]["broker"] == report["checks"]["beat"] == {"ok": True}

    # Beat runs scheduled publishing every minute.
    assert eventually(lambda: type(launch).objects.get(pk=launch.pk).live, timeout=120)
