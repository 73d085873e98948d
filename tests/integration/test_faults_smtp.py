"""SMTP server refusing or down: deliveries retry with backoff and succeed when it returns;
permanent refusals end as failed, with the server's reason kept for admins."""

import time
from functools import partial

import pytest
from aiosmtpd.controller import Controller
from django.urls import reverse

from signatures.models import Delivery
from tests import waiting
from tests.factories import SUPPORTER as DETAILS
from tests.smtp import RecordingSMTPServer, _free_port, _Recorder

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


class ScriptedRecorder(_Recorder):
    """Answers the first messages with the scripted SMTP replies, then accepts as usual."""

    def __init__(self, answers):
        super().__init__()
        self.answers = list(answers)
        self.refusals = 0  # not `refused`: the base class's recipients refused at RCPT

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            answer = self.answers.pop(0) if self.answers else None
            if answer:
                self.refusals += 1
        return answer or await super().handle_DATA(server, session, envelope)


class ScriptedSMTPServer(RecordingSMTPServer):
    def __init__(self, answers=(), port=None):
        super().__init__(port=port)
        self._recorder = ScriptedRecorder(answers)
        self._controller = Controller(self._recorder, hostname=self.host, port=self.port)

    @property
    def refused(self):
        return self._recorder.refusals


wait_until = partial(waiting.wait_until, timeout=90, interval=0.2)


def take_action(client, campaign):
    response = client.post(reverse("signatures:sign", args=[campaign.pk]), DETAILS)
    assert response.status_code == 302


class TestTemporaryRefusal:
    @pytest.fixture
    def smtp_server(self, settings):
        with ScriptedSMTPServer(["451 4.3.0 Try again later", "421 4.7.0 Too busy"]) as server:
            yield server

    def test_deliveries_retry_with_backoff_until_the_server_accepts(
        self, client, campaign, smtp_server, celery_worker
    ):
        take_action(client, campaign)

        [message] = smtp_server.wait_for(1, timeout=90)
        assert message["Reply-To"].addresses[0].addr_spec == DETAILS["email"]
        assert smtp_server.refused == 2
        assert wait_until(lambda: Delivery.objects.filter(state=Delivery.State.SENT).exists())
        delivery = Delivery.objects.get()
        assert delivery.attempts == 3
        assert delivery.last_error == ""
        # Backoff, not a hot loop: the worker logged each retry with a later ETA.
        assert celery_worker.log.read_text().count("retry: Retry in") == 2


class TestServerDown:
    @pytest.fixture
    def smtp_server(self, settings):
        # Nothing listens on this port until the test starts the server.
        return ScriptedSMTPServer(port=_free_port())

    def test_deliveries_wait_for_the_server_and_succeed_when_it_returns(
        self, client, campaign, smtp_server, celery_worker
    ):
        take_action(client, campaign)
        assert wait_until(lambda: Delivery.objects.filter(attempts__gte=1).exists())
        delivery = Delivery.objects.get()
        assert delivery.state == Delivery.State.PENDING
        assert "Connection refused" in delivery.last_error or "Errno 111" in delivery.last_error

        with smtp_server:
            [message] = smtp_server.wait_for(1, timeout=90)
            assert message["To"].addresses[0].addr_spec == campaign.targets[0].email
            assert wait_until(lambda: Delivery.objects.filter(state=Delivery.State.SENT).exists())
        assert Delivery.objects.get().attempts >= 2


class TestPermanentRefusal:
    @pytest.fixture
    def smtp_server(self, settings):
        with ScriptedSMTPServer(["550 5.7.1 Mailbox unavailable: policy rejection"]) as server:
            yield server

    def test_a_permanent_refusal_ends_as_failed_with_the_reason(
        self, client, campaign, smtp_server, celery_worker
    ):
        take_action(client, campaign)

        assert wait_until(lambda: Delivery.objects.exclude(state=Delivery.State.PENDING).exists())
        delivery = Delivery.objects.get()
        assert delivery.state == Delivery.State.FAILED
        assert "550" in delivery.last_error
        assert "policy rejection" in delivery.last_error
        # Not retried: the server saw exactly one attempt and received nothing.
        time.sleep(1)
        assert smtp_server.refused == 1
        assert smtp_server.messages == []
