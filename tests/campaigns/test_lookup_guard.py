"""The representative lookup as a stranger would use it (issue 29, findings 1 and 2): rate
limited per network, only codes of a directory's shape asked about, "nobody" not kept, a
failing provider left alone (and /health/ says so), no worker held past the lookup's budget,
and no 500 or internal text for a code in another alphabet. Against a fake Represent on
loopback, through the real routes."""

import json
import socket
import time

import pytest
from django.urls import reverse

from campaigns.representatives import LookupUnavailable, find
from tests.campaigns import test_represent_provider as provider_tests
from tests.factories import SUPPORTER as DETAILS
from tests.factories import representative, representative_campaign, translate

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

# The fake Represent on loopback, and its directory.
represent, commons = provider_tests.represent, provider_tests.commons


@pytest.fixture
def campaign(site, commons):
    return representative_campaign(site.root_page, commons)


def lookup(client, campaign, postal_code, address="203.0.113.7"):
    return client.get(
        f"/api/v3/campaigns/{campaign.pk}/targets/",
        {"postal_code": postal_code},
        REMOTE_ADDR=address,
    )


def test_lookups_are_rate_limited_per_network(client, either_cache, represent, campaign, settings):
    settings.CLARION_LOOKUP_RATE_LIMIT = "3/300"
    answers = [lookup(client, campaign, f"K1A 0A{digit}").status_code for digit in range(4)]

    assert answers == [200, 200, 200, 429]
    refused = lookup(client, campaign, "K1A 0B9")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert len(represent.paths) == 3  # the refused ones cost the provider nothing
    assert lookup(client, campaign, "K1A 0B9", address="198.51.100.2").status_code == 200


@pytest.mark.parametrize(
    "postal_code", ["K1AÉ0A6", "K1A\u06f00A6", "K1A<0A6>", "K1A 0A6 K1A 0A6 K1A"]
)
def test_a_code_not_of_a_directory_s_shape_is_refused_before_any_work(
    client, represent, campaign, postal_code
):
    response = lookup(client, campaign, postal_code)

    assert response.status_code == 422
    message = response.json()["detail"]
    assert message == (
        "Please write your postal code with letters and digits only, as it appears on your mail."
    )
    assert "codec" not in response.content.decode() and "Error" not in message
    assert represent.paths == []


def test_the_refusal_is_in_the_campaign_s_language(client, represent, campaign):
    french = translate(campaign, "fr")

    response = lookup(client, french, "K1AÉ0A6")

    assert response.status_code == 422
    assert response.json()["detail"].startswith("Veuillez écrire votre code postal")


def test_a_non_ascii_code_on_the_form_is_a_field_error_not_a_500(client, represent, campaign):
    response = client.post(
        reverse("signatures:sign", args=[campaign.pk]), DETAILS | {"postal_code": "K1AÉ0A6"}
    )

    assert response.status_code == 400
    assert "letters and digits only" in response.content.decode()
    assert represent.paths == []


def test_a_non_ascii_code_sent_to_the_signing_api_is_a_field_error_not_a_500(
    client, represent, campaign
):
    response = client.post(
        f"/api/v3/campaigns/{campaign.pk}/signatures/",
        json.dumps(DETAILS | {"postal_code": "K1AÉ0A6"}),
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "loc": ["body", "postal_code"],
            "msg": "Please write your postal code with letters and digits only, as it appears "
            "on your mail.",
            "type": "refused",
        }
    ]
    assert "codec" not in response.content.decode()
    assert represent.paths == []


def test_nobody_is_not_kept(represent, commons):
    represent.mode = 404
    assert find(commons, "K1A 0A6") == []

    represent.mode = "ok"  # the provider learns the code: the next lookup asks again
    assert [person.name for person in find(commons, "K1A 0A6")] == ["Bea Ottawa"]


def test_a_failing_provider_is_left_alone_and_health_says_so(
    client,
    either_cache,
    represent,
    commons,
    settings,
):
    settings.CLARION_LOOKUP_BREAKER = "3/60"
    settings.CELERY_BROKER_URL = ""
    assert json.loads(client.get("/health/").content)["degraded"] == {}
    represent.mode = 503
    for _ in range(3):
        with pytest.raises(LookupUnavailable, match="HTTP 503"):
            find(commons, "K1A 0A6")

    with pytest.raises(LookupUnavailable, match="circuit open"):
        find(commons, "K1B 0A6")
    assert len(represent.paths) == 3  # not asked once it was left alone

    representative(commons, "Dee Table", ["K1A"])
    assert [person.name for person in find(commons, "K1A 0A6")] == ["Dee Table"]
    health = client.get("/health/")
    assert health.status_code == 200  # degraded, not unready: actions are still taken
    assert "representative_lookup" in json.loads(health.content)["degraded"]


def test_a_provider_dripping_its_answer_is_cut_at_the_lookup_s_budget(represent, commons):
    represent.mode = "drip"  # ten parts, 0.15 s apart: each wait is within the 0.3 s timeout

    with pytest.raises(LookupUnavailable, match="timed out"):
        find(commons, "K1A 0A6")


@pytest.fixture
def dead_address(represent):
    """127.0.0.2 at the fake Represent's port, never answering a connection: a listener whose
    queue is full drops every new one, as a provider's dead address (or a broken route to
    it) does."""
    port = represent.server.server_port
    listener = socket.socket()
    listener.bind(("127.0.0.2", port))
    listener.listen(0)
    queued = [socket.socket() for _ in range(3)]
    for sock in queued:
        sock.setblocking(False)
        sock.connect_ex(("127.0.0.2", port))
    time.sleep(0.1)  # the first fills the queue; the others, and the lookup's, are dropped
    yield "127.0.0.2"
    for sock in [*queued, listener]:
        sock.close()


def test_a_provider_whose_first_address_never_answers_is_cut_at_the_lookup_s_budget(
    represent, commons, dead_address, settings, monkeypatch
):
    """The provider's name has two addresses and the first never answers: the connection the
    second accepts comes once the budget is spent, and nothing is asked on it (the dripped
    answer would hold the worker 1.5 s more)."""
    port = represent.server.server_port
    resolve = socket.getaddrinfo

    def two_addresses(host, *args, **kwargs):  # the name's DNS answer, dead address first
        if host != "represent.test":
            return resolve(host, *args, **kwargs)
        return [
            (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))
            for address in (dead_address, "127.0.0.1")
        ]

    monkeypatch.setattr(socket, "getaddrinfo", two_addresses)
    settings.CLARION_REPRESENT_URL = f"http://represent.test:{port}/represent"
    represent.mode = "drip"
    started = time.monotonic()

    with pytest.raises(LookupUnavailable, match="timed out"):
        find(commons, "K1A 0A6")

    assert time.monotonic() - started < 0.9  # the budget is 0.3 s
    assert represent.paths == []


def test_a_provider_whose_name_resolves_slowly_is_cut_at_the_lookup_s_budget(
    represent, commons, settings, monkeypatch
):
    """The system's resolver takes a second to answer (a resolver down, tried again): the
    worker waits for it no longer than the budget."""
    port = represent.server.server_port
    resolve = socket.getaddrinfo

    def slowly(host, *args, **kwargs):
        if host != "represent.test":
            return resolve(host, *args, **kwargs)
        time.sleep(1.0)
        return resolve("127.0.0.1", *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", slowly)
    settings.CLARION_REPRESENT_URL = f"http://represent.test:{port}/represent"
    started = time.monotonic()

    with pytest.raises(LookupUnavailable, match="timed out"):
        find(commons, "K1A 0A6")

    assert time.monotonic() - started < 0.9  # the budget is 0.3 s
    assert represent.paths == []


def test_a_code_kept_before_it_was_checked_is_not_sent_to_the_provider(represent, commons):
    representative(commons, "Dee Table", ["K1A"])

    assert [person.name for person in find(commons, "K1AÉ0A6")] == ["Dee Table"]
    assert represent.paths == []
