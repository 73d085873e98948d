"""The outbox, throttling and digests: nothing accepted is lost, targets are not flooded."""

from collections import defaultdict
from datetime import timedelta
from email.utils import parseaddr
from itertools import pairwise

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.utils import timezone

from signatures.models import Delivery, Signature
from signatures.services import confirmation, digest, dispatch, outbox, signing
from signatures.services import delivery as delivery_service
from signatures.tasks import deliver_letter_task
from tests.factories import SUPPORTER as DETAILS
from tests.factories import CampaignPageFactory, TargetFactory
from tests.smtp import _free_port

pytestmark = pytest.mark.django_db


def details(n, **extra):
    return DETAILS | {"email": f"supporter{n}@example.org", "first_name": f"Name{n}"} | extra


def test_a_lost_enqueue_is_found_and_sent_by_the_sweeper(campaign):
    # In this (non-transactional) test the after-commit enqueue never runs: exactly what a
    # broker outage at signing time leaves behind.
    signature, _ = signing.record_signature(campaign, DETAILS)
    assert signature.dispatched_at is None and not mail.outbox

    assert dispatch.sweep_outbox() == (0, 0, 0)  # too recent: may still be in flight
    later = timezone.now() + timedelta(minutes=3)
    assert dispatch.sweep_outbox(now=later)[0] == 1

    signature.refresh_from_db()
    assert signature.dispatched_at is not None
    assert Delivery.objects.get().state == Delivery.State.SENT
    assert len(mail.outbox) == 1
    assert dispatch.sweep_outbox(now=later) == (0, 0, 0)  # nothing left behind


def test_the_sweeper_resends_deliveries_left_pending(campaign, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # the deliver tasks are lost
        signature, _ = signing.record_signature(campaign, DETAILS)
        dispatch.dispatch_signature(signature.pk)
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.PENDING and not mail.outbox

    swept = dispatch.sweep_outbox(now=timezone.now() + timedelta(minutes=3))

    assert swept == (0, 1, 0)
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.SENT
    assert len(mail.outbox) == 1


def test_a_confirmation_lost_in_transit_is_sent_by_the_sweeper(site):
    campaign = CampaignPageFactory(parent=site.root_page, confirmation_required=True)
    signature, _ = signing.record_signature(campaign, DETAILS)
    dispatch.dispatch_signature(signature.pk)  # its confirmation task is lost (never enqueued here)
    signature.refresh_from_db()
    assert signature.email_due_at is not None and not mail.outbox

    assert dispatch.sweep_outbox() == (0, 0, 0)  # too recent: may still be in flight
    assert dispatch.sweep_outbox(now=timezone.now() + timedelta(minutes=3)) == (0, 0, 1)

    [message] = mail.outbox
    assert message.to == ["ana@example.org"] and "/act/confirm/" in message.body
    assert message.extra_headers["Message-ID"].startswith(f"<clarion.confirm.{signature.pk}.")
    signature.refresh_from_db()
    assert signature.email_due_at is None
    confirmation.send_confirmation(signature.pk)  # a stray second run sends nothing
    assert dispatch.sweep_outbox(now=timezone.now() + timedelta(minutes=6)) == (0, 0, 0)
    assert len(mail.outbox) == 1


def test_a_receipt_lost_in_transit_is_sent_by_the_sweeper(site):
    campaign = CampaignPageFactory(parent=site.root_page, send_receipt=True)
    signature, _ = signing.record_signature(campaign, DETAILS)
    dispatch.dispatch_signature(signature.pk)  # the delivery and the receipt tasks are lost

    assert dispatch.sweep_outbox(now=timezone.now() + timedelta(minutes=3)) == (0, 1, 1)

    assert sorted(message.extra_headers["Message-ID"].split(".")[1] for message in mail.outbox) == [
        "delivery",
        "receipt",
    ]
    assert dispatch.sweep_outbox(now=timezone.now() + timedelta(minutes=6)) == (0, 0, 0)
    assert len(mail.outbox) == 2


def test_no_receipt_is_owed_once_the_action_is_rejected(site, admin_user):
    from signatures.services import moderation

    campaign = CampaignPageFactory(parent=site.root_page, send_receipt=True)
    signature, _ = signing.record_signature(campaign, DETAILS)
    dispatch.dispatch_signature(signature.pk)
    moderation.set_status([signature.pk], Signature.Status.REJECTED, admin_user)

    dispatch.sweep_outbox(now=timezone.now() + timedelta(minutes=3))

    assert all(message.to != ["ana@example.org"] for message in mail.outbox)
    signature.refresh_from_db()
    assert signature.email_due_at is None  # not swept again


def test_while_no_worker_runs_the_sweeper_queues_fewer_and_fewer_copies(site, monkeypatch):
    # The broker takes every message, but no worker ever handles one, for 8 hours.
    queued = defaultdict(list)
    start = timezone.now()
    sweeping = start

    def enqueue(task_name, pk, **options):
        queued[task_name, pk].append(sweeping)
        return True

    monkeypatch.setattr(outbox, "enqueue", enqueue)
    never_dispatched = signing.record_signature(
        CampaignPageFactory(parent=site.root_page), details(1)
    )[0]
    dispatch.dispatch_signature(
        signing.record_signature(CampaignPageFactory(parent=site.root_page), details(2))[0].pk
    )
    confirming = CampaignPageFactory(parent=site.root_page, confirmation_required=True)
    dispatch.dispatch_signature(signing.record_signature(confirming, details(3))[0].pk)

    for minute in range(1, 8 * 60 + 1):  # beat's schedule
        sweeping = start + timedelta(minutes=minute)
        dispatch.sweep_outbox(now=sweeping)

    assert sorted(queued) == sorted(
        [
            ("signatures.tasks.dispatch", never_dispatched.pk),
            ("signatures.tasks.deliver", Delivery.objects.get().pk),
            ("signatures.tasks.send_confirmation", Signature.objects.get(status="pending").pk),
        ]
    )
    for copies in queued.values():
        gaps = [later - earlier for earlier, later in pairwise(copies)]
        assert gaps == sorted(gaps)  # each wait as long as the last, or longer
        assert max(gaps) <= outbox.MAX_WAIT + outbox.GRACE + timedelta(minutes=1)
        assert len(copies) <= 12  # 11 here; the sweeper before its back-off made 160 to 478


def test_what_the_broker_refused_is_queued_at_the_next_sweep(campaign, monkeypatch):
    broker = {"up": False, "queued": []}

    def enqueue(task, pk, **options):
        if broker["up"]:
            broker["queued"].append(pk)
        return broker["up"]

    monkeypatch.setattr(outbox, "enqueue", enqueue)
    signature, _ = signing.record_signature(campaign, DETAILS)
    later = timezone.now() + timedelta(minutes=3)

    assert dispatch.sweep_outbox(now=later) == (0, 0, 0)  # the broker is down: nothing queued
    broker["up"] = True
    assert dispatch.sweep_outbox(now=later + timedelta(minutes=1)) == (1, 0, 0)  # not postponed

    assert broker["queued"] == [signature.pk]
    signature.refresh_from_db()
    assert signature.dispatch_due_at > later + timedelta(minutes=1)
    dispatch.dispatch_signature(signature.pk)  # a worker takes the copy
    signature.refresh_from_db()
    assert signature.dispatched_at is not None and signature.dispatch_due_at is None


def test_a_broker_error_after_commit_does_not_fail_the_request(
    client, campaign, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    from kombu.exceptions import OperationalError

    from signatures import tasks

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.dispatch_signature_task, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/act/{campaign.pk}/", DETAILS)

    assert response.status_code == 302
    signature = Signature.objects.get()
    assert signature.dispatched_at is None  # left for the sweeper
    assert "could not enqueue signatures.tasks.dispatch" in caplog.text
    assert "ana@example.org" not in caplog.text  # ids only in logs


def test_the_message_id_is_the_same_on_every_attempt(campaign):
    with_deliveries = signing.record_signature(campaign, DETAILS)[0]
    dispatch.dispatch_signature(with_deliveries.pk)
    delivery = Delivery.objects.select_related("signature", "target").get()
    first, second = (
        delivery_service.compose_letter(delivery),
        delivery_service.compose_letter(delivery),
    )
    assert first.extra_headers["Message-ID"] == second.extra_headers["Message-ID"]
    assert first.extra_headers["Message-ID"].startswith(f"<clarion.delivery.{delivery.pk}.")


def test_a_target_gets_at_most_its_throttle_per_minute(site, monkeypatch):
    target = TargetFactory(max_per_minute=2)
    campaign = CampaignPageFactory(parent=site.root_page, targets=[target])
    monkeypatch.setattr(
        delivery_service.time, "time", lambda: 60 * 16667 + 20.0
    )  # 20 s into a minute
    deliveries = []
    for n in range(3):
        signature, _ = signing.record_signature(campaign, details(n))
        dispatch.dispatch_signature(signature.pk)
    deliveries = list(Delivery.objects.order_by("pk").values_list("pk", flat=True))

    waits = [delivery_service.deliver_letter(pk) for pk in deliveries]

    assert waits[:2] == [None, None]
    assert 40 < waits[2] <= 41  # until the next minute
    assert len(mail.outbox) == 2
    held = Delivery.objects.get(pk=deliveries[2])
    assert held.state == Delivery.State.PENDING and held.due_at > timezone.now()
    assert held.attempts == 0  # waiting is not failing

    monkeypatch.setattr(delivery_service.time, "time", lambda: 60 * 16668 + 5.0)  # the next minute
    assert delivery_service.deliver_letter(deliveries[2]) is None
    assert len(mail.outbox) == 3


def test_the_site_default_throttle_applies_without_a_target_setting(campaign, settings):
    settings.CLARION_TARGET_MAX_PER_MINUTE = 1
    for n in range(2):
        dispatch.dispatch_signature(signing.record_signature(campaign, details(n))[0].pk)
    waits = [
        delivery_service.deliver_letter(pk)
        for pk in Delivery.objects.order_by("pk").values_list("pk", flat=True)
    ]
    assert waits[0] is None and waits[1] > 0
    assert len(mail.outbox) == 1


def test_a_digest_campaign_sends_one_email_per_period(site):
    target = TargetFactory(email="office@example.org")
    campaign = CampaignPageFactory(parent=site.root_page, targets=[target], digest_minutes=60)
    for n in range(3):
        dispatch.dispatch_signature(
            signing.record_signature(campaign, details(n, personal_note=f"note {n}"))[0].pk
        )
    assert Delivery.objects.filter(state=Delivery.State.PENDING).count() == 3
    # Sent one by one, nothing goes out: the digest carries them.
    for pk in Delivery.objects.values_list("pk", flat=True):
        delivery_service.deliver_letter(pk)
    assert not mail.outbox

    now = timezone.now()
    assert digest.send_digests(now=now) == 1

    [message] = mail.outbox
    assert parseaddr(message.to[0]) == (f"The Hon. {target.name}", "office@example.org")
    assert message.subject.startswith("3 new actions")
    for n in range(3):
        assert f"Name{n} Okonjo" in message.body
    assert set(Delivery.objects.values_list("state", flat=True)) == {Delivery.State.SENT}

    dispatch.dispatch_signature(signing.record_signature(campaign, details(9))[0].pk)
    assert digest.send_digests(now=now + timedelta(minutes=30)) == 0  # period not over
    assert digest.send_digests(now=now + timedelta(minutes=61)) == 1
    assert len(mail.outbox) == 2
    assert mail.outbox[1].subject.startswith("1 new action:")
    assert "Name9 Okonjo" in mail.outbox[1].body and "Name0" not in mail.outbox[1].body


def test_the_sweeper_leaves_digest_deliveries_to_the_digest(site):
    campaign = CampaignPageFactory(parent=site.root_page, digest_minutes=60)
    dispatch.dispatch_signature(signing.record_signature(campaign, DETAILS)[0].pk)
    assert dispatch.sweep_outbox(now=timezone.now() + timedelta(minutes=3)) == (0, 0, 0)
    assert not mail.outbox


class _Refusing:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return "550 5.1.1 No such mailbox"


@pytest.fixture
def refusing_smtp(settings):
    controller = Controller(_Refusing(), hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield
    controller.stop()


def test_a_permanent_failure_is_recorded_and_not_retried(campaign, refusing_smtp):
    dispatch.dispatch_signature(signing.record_signature(campaign, DETAILS)[0].pk)
    delivery = Delivery.objects.get()

    deliver_letter_task.apply(args=[delivery.pk])

    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.FAILED
    assert "Refused by the mail server" in delivery.last_error
    assert "550" in delivery.last_error
    deliver_letter_task.apply(args=[delivery.pk])  # a stray second run changes nothing
    delivery.refresh_from_db()
    assert delivery.attempts == 1


def test_the_digest_records_a_failure_and_keeps_the_actions(site, refusing_smtp):
    campaign = CampaignPageFactory(parent=site.root_page, digest_minutes=60)
    dispatch.dispatch_signature(signing.record_signature(campaign, DETAILS)[0].pk)
    assert digest.send_digests() == 0
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.PENDING
    assert "550" in delivery.last_error and delivery.attempts == 1


def test_an_unconfirmed_signature_cannot_be_approved_in_its_supporters_place(site, admin_user):
    from signatures.services import moderation

    campaign = CampaignPageFactory(parent=site.root_page, confirmation_required=True)
    signature, _ = signing.record_signature(campaign, DETAILS)
    dispatch.dispatch_signature(signature.pk)  # the confirmation email; no delivery while pending

    assert moderation.count_unapprovable([signature.pk]) == 1
    assert moderation.set_status([signature.pk], Signature.Status.COUNTED, admin_user) == 0
    dispatch.sweep_outbox(now=timezone.now() + timedelta(minutes=3))

    signature.refresh_from_db()
    assert signature.status == Signature.Status.PENDING
    assert not Delivery.objects.exists()


def test_approving_again_sends_the_letters_withheld_and_one_receipt_in_all(site, admin_user):
    from signatures.services import moderation

    def receipts():
        return [
            m for m in mail.outbox if m.extra_headers["Message-ID"].startswith("<clarion.receipt")
        ]

    campaign = CampaignPageFactory(parent=site.root_page, send_receipt=True)
    signature, _ = signing.record_signature(campaign, DETAILS)
    dispatch.dispatch_signature(signature.pk)  # the delivery and the receipt tasks are lost
    moderation.set_status([signature.pk], Signature.Status.REJECTED, admin_user)
    assert Delivery.objects.get().state == Delivery.State.WITHHELD

    moderation.set_status([signature.pk], Signature.Status.COUNTED, admin_user)
    dispatch.sweep_outbox(now=timezone.now() + timedelta(minutes=3))

    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.last_error) == (Delivery.State.SENT, "")
    assert len(receipts()) == 1
    # Rejected and approved once more: the letter went, and so did the receipt.
    moderation.set_status([signature.pk], Signature.Status.REJECTED, admin_user)
    moderation.set_status([signature.pk], Signature.Status.COUNTED, admin_user)
    dispatch.sweep_outbox(now=timezone.now() + timedelta(minutes=6))
    assert len(receipts()) == 1
    assert Delivery.objects.get().state == Delivery.State.SENT


@pytest.mark.redis
def test_a_new_action_is_queued_behind_the_letters_already_owed(
    settings, django_capture_on_commit_callbacks
):
    """Redis serves priority 0 first: dispatch goes to the lower-priority list."""
    import uuid

    import redis

    from cms.celery import app
    from signatures import task_names
    from signatures.services import outbox

    queue = f"clarion-test-{uuid.uuid4().hex[:12]}"
    previous = app.conf.task_always_eager, app.conf.task_default_queue
    app.conf.task_always_eager, app.conf.task_default_queue = False, queue
    try:
        with django_capture_on_commit_callbacks(execute=True):
            outbox.enqueue_on_commit(task_names.DISPATCH_SIGNATURE, 1)
            outbox.enqueue_on_commit(task_names.DELIVER_LETTER, 2)
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = previous
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    behind = f"{queue}\x06\x166"  # kombu's list for priorities 4-6
    try:
        assert (broker.llen(queue), broker.llen(behind)) == (1, 1)
        assert b"signatures.tasks.dispatch" in broker.lindex(behind, 0)
    finally:
        broker.delete(queue, behind)


@pytest.mark.rabbitmq
def test_on_rabbitmq_a_new_action_is_queued_without_a_priority(monkeypatch):
    """RabbitMQ serves higher priorities first (on a queue with x-max-priority): the number
    written for Redis would put dispatch before the letters owed there, so none is sent and
    the letter owed stays first."""
    import uuid

    from kombu import Connection, Exchange, Queue

    from cms.celery import app
    from signatures import task_names
    from signatures.services import outbox
    from tests.availability import RABBITMQ_URL

    queue = f"clarion-test-{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("CELERY_BROKER_URL", RABBITMQ_URL)  # Celery reads it first
    changed = {
        "broker_url": RABBITMQ_URL,
        "broker_transport": None,  # not the Redis transport the settings chose
        "task_always_eager": False,
        "task_default_queue": queue,
    }
    previous = {name: app.conf[name] for name in changed}
    app.conf.update(changed)
    app._pool = app.amqp._producer_pool = None
    # The queue is declared with priorities, as CELERY_TASK_QUEUES could have it.
    app.amqp.queues[queue] = Queue(
        queue, Exchange(queue), queue, queue_arguments={"x-max-priority": 10}
    )
    try:
        with Connection(RABBITMQ_URL) as broker:
            assert outbox.enqueue(task_names.DELIVER_LETTER, 1)
            assert outbox.enqueue(task_names.DISPATCH_SIGNATURE, 2)
            taken = [broker.default_channel.basic_get(queue, no_ack=True) for _ in range(2)]
            broker.default_channel.queue_delete(queue)
            broker.default_channel.exchange_delete(queue)
    finally:
        app.amqp.queues.pop(queue, None)
        app.conf.update(previous)
        app._pool = app.amqp._producer_pool = None

    assert [message.headers["task"] for message in taken] == [
        task_names.DELIVER_LETTER,
        task_names.DISPATCH_SIGNATURE,
    ]
    assert taken[1].properties.get("priority") == taken[0].properties.get("priority")


@pytest.fixture
def with_broker_and_redis_cache(settings, redis_cache):
    """Clarion as in production: a Redis broker (no task runs in-process) and a Redis cache
    that counts the rate limit; a queue of this test's own, named as its cache's prefix."""
    import redis

    from cms.celery import app

    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    settings.CLARION_RATE_LIMIT = "1000/300"
    previous = app.conf.task_always_eager, app.conf.task_default_queue
    app.conf.task_always_eager, app.conf.task_default_queue = False, prefix
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    try:
        yield broker, prefix
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = previous
        for key in broker.scan_iter(f"{prefix}*"):
            broker.delete(key)


def count_redis_round_trips(monkeypatch) -> list:
    from redis.connection import AbstractConnection

    sent = []
    send = AbstractConnection.send_packed_command

    def counting(self, *args, **kwargs):
        sent.append(1)
        return send(self, *args, **kwargs)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", counting)
    return sent


@pytest.mark.redis
def test_an_action_publishes_nothing_and_wakes_the_dispatcher_in_the_rate_limits_round_trip(
    campaign, with_broker_and_redis_cache, monkeypatch, django_capture_on_commit_callbacks
):
    broker, prefix = with_broker_and_redis_cache
    signing.record_signature(
        campaign, details(0), client_ip="192.0.2.1"
    )  # connects, bumps the counter
    broker.delete(f"{prefix}:1:{outbox.WAKE_KEY}")
    monkeypatch.setattr(outbox, "_next_wake", 0.0)
    round_trips = count_redis_round_trips(monkeypatch)

    with django_capture_on_commit_callbacks(execute=True):
        signature, new = signing.record_signature(campaign, DETAILS, client_ip="192.0.2.1")

    assert new and signature.dispatched_at is None  # the row is the outbox entry
    assert len(round_trips) == 1  # the rate limit's INCR, with the wake-up in its pipeline
    assert broker.llen(prefix) == 0  # nothing published to the workers' queue
    assert broker.llen(f"{prefix}:1:{outbox.WAKE_KEY}") == 1


@pytest.mark.redis
def test_the_wake_up_goes_at_most_once_in_its_interval_per_process(
    campaign, with_broker_and_redis_cache, monkeypatch, settings
):
    broker, prefix = with_broker_and_redis_cache
    settings.CLARION_RATE_LIMIT = "0/300"  # no rate limit: the wake-up goes on its own
    # Its wake-up connects, whenever the test before woke the dispatcher; bumps the counter.
    monkeypatch.setattr(outbox, "_next_wake", 0.0)
    signing.record_signature(campaign, details(0))
    monkeypatch.setattr(outbox, "_next_wake", 0.0)
    round_trips = count_redis_round_trips(monkeypatch)

    for n in range(1, 6):
        signing.record_signature(campaign, details(n))

    assert len(round_trips) == 1
    assert broker.llen(f"{prefix}:1:{outbox.WAKE_KEY}") == 1


def test_the_dispatcher_hands_over_every_waiting_action_once(campaign):
    # Not transactional: the after-commit work never runs, as with a broker.
    signatures = [signing.record_signature(campaign, details(n))[0] for n in range(3)]
    assert Delivery.objects.count() == 0

    assert dispatch.dispatch_waiting() == 3
    assert dispatch.dispatch_waiting() == 0
    assert Delivery.objects.filter(signature__in=signatures).count() == 3
    assert not Signature.objects.filter(dispatched_at=None).exists()


def test_a_row_the_dispatcher_cannot_dispatch_is_left_to_the_sweeper(campaign, monkeypatch):
    bad, good = (signing.record_signature(campaign, details(n))[0] for n in range(2))
    dispatch_signature = dispatch.dispatch_signature

    def failing(pk):
        if pk == bad.pk:
            raise RuntimeError("broken row")
        dispatch_signature(pk)

    monkeypatch.setattr(dispatch, "dispatch_signature", failing)
    assert dispatch.dispatch_waiting() == 2
    assert dispatch.dispatch_waiting() == 0  # not taken again and again

    bad.refresh_from_db()
    good.refresh_from_db()
    assert good.dispatched_at is not None
    assert bad.dispatched_at is None and bad.dispatch_due_at is not None
    monkeypatch.setattr(dispatch, "dispatch_signature", dispatch_signature)
    later = timezone.now() + outbox.GRACE * 3
    assert dispatch.sweep_outbox(now=later)[0] == 1  # the sweeper re-enqueues it


@pytest.mark.django_db(transaction=True)
def test_the_workers_dispatcher_thread_hands_over_a_new_action(site):
    import threading
    import time

    from signatures.dispatcher import run

    campaign = CampaignPageFactory(parent=site.root_page)
    signature = Signature.objects.create(
        campaign=campaign, email="ana@example.org", email_key="ana@example.org"
    )
    stopping = threading.Event()
    thread = threading.Thread(target=run, args=(stopping,))
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            signature.refresh_from_db()
            if signature.dispatched_at:
                break
            time.sleep(0.1)
    finally:
        stopping.set()
        thread.join(10)
    assert signature.dispatched_at is not None
    assert not thread.is_alive()
