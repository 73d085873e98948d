"""Webhook endpoints reach only public https addresses (issue 15, finding 4).

A signature's POST carries the supporter's details: an endpoint must not make Clarion post
them to its own network (127.0.0.1, the cloud's metadata service at 169.254.169.254, …),
neither when the URL is saved nor when it is sent, however its name resolves by then. The
log keeps a category, never the remote's words.
"""

import ipaddress
import socket

import pytest
from django.contrib.auth.models import Permission

from signatures import safe_http
from signatures.models import Signature, WebhookDelivery, WebhookEndpoint
from signatures.services import webhooks
from tests.loopback import LoopbackServer, QuietHandler
from tests.moderation.conftest import make_user
from tests.webhooks import Receiver, allow_local_receiver

pytestmark = pytest.mark.django_db

NOT_PUBLIC = [
    "127.0.0.1",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",  # the cloud's metadata service
    "100.64.0.1",  # carrier-grade NAT
    "0.0.0.0",
    "224.0.0.1",
    "240.0.0.1",
    "255.255.255.255",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "ff02::1",
    "::ffff:127.0.0.1",  # IPv4-mapped
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
]


@pytest.mark.parametrize("address", NOT_PUBLIC)
def test_no_loopback_private_link_local_multicast_or_reserved_address(address):
    assert not safe_http.may_reach(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:4700:4700::1111"])
def test_public_addresses_may_be_reached(address):
    assert safe_http.may_reach(address)


def test_a_network_is_exempted_only_when_a_setting_says_so(settings):
    assert not safe_http.may_reach("127.0.0.1")
    settings.CLARION_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    assert safe_http.may_reach("127.0.0.1")
    assert not safe_http.may_reach("127.0.0.2") and not safe_http.may_reach("::1")


# Saving: the endpoint form says what is wrong and saves nothing.

ADD_URL = "/admin/snippets/signatures/webhookendpoint/add/"


@pytest.fixture
def webhook_admin(client, site):
    user = make_user("wanda")
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="add_webhookendpoint"),
        Permission.objects.get(codename="change_webhookendpoint"),
    )
    client.force_login(user)
    return client


def save_endpoint(client, site, url):
    data = {"name": "CRM", "site": site.pk, "url": url, "secret": "s" * 40, "is_active": "on"}
    return client.post(ADD_URL, data)


@pytest.mark.parametrize(
    "url, message",
    [
        ("https://127.0.0.1:8000/hook", "webhooks go only to public addresses"),
        ("https://[::1]:8443/hook", "webhooks go only to public addresses"),
        ("https://169.254.169.254/latest/meta-data/", "webhooks go only to public addresses"),
        ("https://10.0.0.5/hook", "webhooks go only to public addresses"),
        ("https://localhost/hook", "webhooks go only to public addresses"),
        ("ftp://crm.example/hook", "Webhooks go only to https:// addresses"),
        ("http://crm.example/hook", "Webhooks go only to https:// addresses"),
    ],
)
def test_an_address_inside_or_not_https_is_refused_when_saved(webhook_admin, site, url, message):
    response = save_endpoint(webhook_admin, site, url)
    assert response.status_code == 200  # the form again, with the message by the field
    assert message in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_plain_http_for_local_testing_still_refuses_loopback(webhook_admin, site, settings):
    settings.CLARION_WEBHOOK_ALLOW_HTTP = True
    response = save_endpoint(webhook_admin, site, "http://127.0.0.1:8000/hook")
    assert "webhooks go only to public addresses" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_a_public_https_address_is_saved(webhook_admin, site):
    response = save_endpoint(webhook_admin, site, "https://93.184.216.34/crm/hook")
    assert response.status_code == 302
    assert WebhookEndpoint.objects.get().url == "https://93.184.216.34/crm/hook"


# Sending: checked again, as the name may resolve elsewhere by now (or the row was written
# before these checks existed).


def deliver_to(campaign, url) -> WebhookDelivery:
    """One delivery to `url` (saved as if it had passed the form), attempted once."""
    endpoint = WebhookEndpoint.objects.create(site=campaign.get_site(), name="CRM", url=url)
    email = f"ana{Signature.objects.count()}@example.org"
    signature = Signature.objects.create(campaign=campaign, email=email, email_key=email)
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, signature=signature)
    with pytest.raises(webhooks.WebhookFailed):
        webhooks.deliver_webhook(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("pending", 1)
    return delivery


@pytest.fixture
def connections_tried(monkeypatch):
    """Every connection this process tries during the test, by (address, port). One to an
    address outside loopback is refused here, before any packet leaves: should the guard
    regress, the test fails on what it recorded instead of reaching the real address (the
    cloud's metadata service, say)."""
    tried = []

    def fenced(real):
        def connect(sock, address):
            if sock.family in (socket.AF_INET, socket.AF_INET6):
                tried.append(address[:2])
                if not ipaddress.ip_address(address[0].split("%", 1)[0]).is_loopback:
                    raise ConnectionRefusedError("this test connects to nothing but loopback")
            return real(sock, address)

        return connect

    monkeypatch.setattr(socket.socket, "connect", fenced(socket.socket.connect))
    monkeypatch.setattr(socket.socket, "connect_ex", fenced(socket.socket.connect_ex))
    return tried


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("https://127.0.0.1:8443/hook", id="loopback"),
        pytest.param("https://[::1]:8443/hook", id="loopback-ipv6"),
        pytest.param("https://169.254.169.254/latest/meta-data/", id="metadata"),
    ],
)
def test_an_internal_address_is_refused_when_sent(campaign, url, connections_tried):
    delivery = deliver_to(campaign, url)
    assert delivery.last_error == str(safe_http.NOT_PUBLIC)
    assert delivery.response_status is None
    assert connections_tried == []  # refused before connecting, not by the fence


def test_ftp_is_refused_when_sent(campaign):
    assert deliver_to(campaign, "ftp://crm.example/hook").last_error == str(safe_http.NOT_HTTPS)


def test_a_host_name_resolving_to_loopback_at_send_time_gets_nothing(campaign, settings):
    # Plain http is allowed here (as for local testing), loopback is not: `localhost`
    # resolves, through the system's resolver, to 127.0.0.1 where the receiver listens.
    settings.CLARION_WEBHOOK_ALLOW_HTTP = True
    with Receiver() as receiver:
        port = receiver.server.server_port
        delivery = deliver_to(campaign, f"http://localhost:{port}/crm/hook")
    assert receiver.requests == []
    assert delivery.last_error == str(safe_http.NOT_PUBLIC)


def test_the_connection_goes_to_the_address_that_was_checked(campaign, settings, monkeypatch):
    # DNS rebinding answers a public address to the check and an internal one to the
    # connection. Here the name is looked up once, and only that address is connected to:
    # the system resolver, which has never heard of the name, is never asked.
    allow_local_receiver(settings)
    lookups = []

    def resolve(host, port):
        lookups.append(host)
        return ("127.0.0.1",)

    monkeypatch.setattr(safe_http, "_resolve", resolve)
    with Receiver() as receiver:
        endpoint = WebhookEndpoint.objects.create(
            site=campaign.get_site(),
            name="CRM",
            url=f"http://crm.rebind.test:{receiver.server.server_port}/crm/hook",
        )
        signature = Signature.objects.create(campaign=campaign, email="ana@example.org")
        delivery = WebhookDelivery.objects.create(endpoint=endpoint, signature=signature)
        webhooks.deliver_webhook(delivery.pk)
    assert lookups == ["crm.rebind.test"]
    [(headers, _body)] = receiver.requests
    assert headers["Host"] == f"crm.rebind.test:{receiver.server.server_port}"
    delivery.refresh_from_db()
    assert delivery.state == "delivered"


class Answer(LoopbackServer):
    """Answers every POST with `status`, `reason` and `headers`, and counts them."""

    def __init__(self, status, reason=None, headers=()):
        self.posts = 0
        answer = self

        class Handler(QuietHandler):
            def do_POST(self):
                answer.posts += 1
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self.send_response(status, reason)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST

        super().__init__(Handler)
        self.url = f"{self.origin}/crm/hook"


def test_a_redirect_is_not_followed(campaign, settings):
    allow_local_receiver(settings)
    with Answer(200) as elsewhere, Answer(307, headers=[("Location", elsewhere.url)]) as crm:
        delivery = deliver_to(campaign, crm.url)
    assert (crm.posts, elsewhere.posts) == (1, 0)
    assert delivery.response_status == 307
    assert delivery.last_error == "HTTP 307: redirects are not followed"


def test_the_log_keeps_a_category_not_the_remotes_words(campaign, settings):
    allow_local_receiver(settings)
    with Answer(500, reason="db 10.0.0.7:5432 refused; redis 10.0.0.8:6379 open") as crm:
        answered = deliver_to(campaign, crm.url)
    assert (answered.last_error, answered.response_status) == ("HTTP 500", 500)

    unanswered = deliver_to(campaign, "http://127.0.0.1:9/nothing-listens-here")
    assert unanswered.last_error == "Connection refused"  # no errno, address or port
