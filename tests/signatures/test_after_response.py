"""Timing never tells who has signed: follow-up work waits until the response is complete.

The mail server and the CRM are real loopback servers that hold every client until the test
lets them go: an action whose request sent an email or a webhook itself could not be
answered while they hold.
"""

import http.client
import re
from contextlib import contextmanager
from email.utils import parseaddr
from urllib.parse import urlencode, urlsplit

import pytest
from django.db import connection
from django.urls import reverse

from signatures.models import Signature, WebhookEndpoint
from signatures.services import after_response, webhooks
from tests.factories import SUPPORTER as DETAILS
from tests.factories import CampaignPageFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

#: Far below the mail server's and the CRM's timeouts: an answer that waited for either
#: does not arrive in time.
ANSWER_SECONDS = 5

MODES = {
    "no-broker": True,  # `make run`: tasks run in the process's background thread
    "tests": False,  # the test settings: on the request's thread, after its response
}


@pytest.fixture
def endpoint(site, receiver):
    webhooks.endpoints_changed()
    return WebhookEndpoint.objects.create(site=site, name="CRM", url=receiver.url)


@pytest.fixture(params=MODES.values(), ids=MODES.keys())
def mode(request, settings):
    settings.CLARION_FOLLOW_UP_THREAD = request.param
    yield request.param
    assert after_response.wait_until_idle()


def post_over_http(server_url: str, path: str, data: dict) -> http.client.HTTPResponse:
    """POST as a browser would, over a real connection; the whole response read."""
    address = urlsplit(server_url)
    conn = http.client.HTTPConnection(address.hostname, address.port, timeout=ANSWER_SECONDS)
    try:
        conn.request(
            "POST",
            path,
            body=urlencode(data),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        response = conn.getresponse()
        response.read()
        return response
    finally:
        conn.close()


@pytest.mark.parametrize("confirmation_required", [False, True], ids=["counted", "pending"])
def test_no_email_or_webhook_before_the_response_is_complete(
    mode, live_server, smtp_server, receiver, endpoint, site, confirmation_required
):
    campaign = CampaignPageFactory(
        parent=site.root_page, send_receipt=True, confirmation_required=confirmation_required
    )
    path = reverse("signatures:sign", args=[campaign.pk])

    with smtp_server.held(), receiver.held():
        response = post_over_http(live_server.url, path, DETAILS)

        assert response.status == 302  # answered while no email and no POST could go
        assert response.getheader("Location").endswith("/thank-you/")

    # The work was only put off: once the servers answer, all of it is done.
    if confirmation_required:  # the link to the supporter; nothing counted, nothing posted
        [link] = smtp_server.wait_for(1)
        assert link["To"] == "ana@example.org"
        assert "confirm your action" in link["Subject"]
    else:  # the letter to the target, the receipt to the supporter, the CRM's POST
        messages = smtp_server.wait_for(2)
        assert sorted(parseaddr(message["To"])[1] for message in messages) == sorted(
            [campaign.targets[0].email, "ana@example.org"]
        )
        assert len(receiver.wait_for(1)) == 1


@contextmanager
def statements_run():
    """The SQL this thread sends (without its values), in order."""
    statements = []

    def record(execute, sql, params, many, context):
        statements.append(re.sub(r"\s+", " ", sql))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield statements


@pytest.mark.parametrize("confirmation_required", [False, True], ids=["counted", "pending"])
def test_a_new_and_a_repeat_action_do_the_same_work_in_the_request(
    client, settings, site, endpoint, confirmation_required
):
    # The follow-up work runs on the background thread, on its own database connection:
    # what this thread's connection sees is the request's own work.
    settings.CLARION_FOLLOW_UP_THREAD = True
    campaign = CampaignPageFactory(
        parent=site.root_page, send_receipt=True, confirmation_required=confirmation_required
    )
    url = reverse("signatures:sign", args=[campaign.pk])
    client.post(url, DETAILS)  # warms the campaign's caches for both actions alike
    assert after_response.wait_until_idle()

    with statements_run() as new:
        first = client.post(url, DETAILS | {"email": "bo@example.org"})
    assert after_response.wait_until_idle()
    with statements_run() as repeat:
        again = client.post(url, DETAILS | {"email": "bo@example.org", "first_name": "Bo"})
    assert after_response.wait_until_idle()

    assert (first.status_code, first["Location"]) == (again.status_code, again["Location"])
    assert new == repeat
    assert [sql.split(" (")[0] for sql in new if "signatures_signature" in sql] == [
        'INSERT INTO "signatures_signature"'
    ]
    assert Signature.objects.filter(email="bo@example.org").count() == 1
