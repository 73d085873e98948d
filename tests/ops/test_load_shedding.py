"""Load shedding's decision, on real loopback sockets: a request that waited past its
limit since its bytes arrived is answered 503 with Retry-After before any work; reads go
before writes; the admin, health checks and metrics never. Through a real gunicorn:
tests/integration/test_surge_web.py."""

import json
import socket
import time

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from cms.load_shedding import LoadSheddingMiddleware, waited_ms

WAITED_SECONDS = 0.3


@pytest.fixture(autouse=True)
def limits(settings):
    settings.CLARION_SHED_VIEWS_AFTER_MS = 100
    settings.CLARION_SHED_ACTIONS_AFTER_MS = 2000
    settings.CLARION_SHED_RETRY_AFTER = 7


@pytest.fixture
def waited_socket():
    """The server's end of a connection whose request arrived WAITED_SECONDS ago."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        with socket.create_connection(listener.getsockname()) as client:
            client.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            time.sleep(WAITED_SECONDS)
            accepted, _address = listener.accept()
            with accepted:
                yield accepted


def served(request):
    request.served = True
    return HttpResponse("served")


def through(request, sock=None):
    if sock is not None:
        request.META["gunicorn.socket"] = sock
    request.served = False
    return LoadSheddingMiddleware(served)(request)


def test_the_kernel_tells_how_long_the_request_waited(waited_socket):
    assert waited_ms({"gunicorn.socket": waited_socket}) >= WAITED_SECONDS * 1000 * 0.9
    assert waited_ms({}) == 0


def test_a_read_that_waited_past_its_limit_is_shed_before_any_work(waited_socket):
    request = RequestFactory().get("/fr/campagnes/eau/?utm_source=x")
    response = through(request, waited_socket)

    assert not request.served
    assert (response.status_code, response["Retry-After"]) == (503, "7")
    assert response["Cache-Control"] == "no-store"
    assert "Tant de monde est là en ce moment" in response.content.decode()  # its language


def test_an_api_read_is_shed_as_problem_details(waited_socket):
    response = through(RequestFactory().get("/api/v3/campaigns/3/counter/"), waited_socket)

    assert (response.status_code, response["Content-Type"]) == (503, "application/problem+json")
    assert "nothing was saved" in json.loads(response.content)["detail"]


def test_an_action_that_waited_as_long_is_served(waited_socket):
    request = RequestFactory().post("/act/3/", {"email": "ana@example.org"})
    assert through(request, waited_socket).status_code == 200
    assert request.served


def test_an_action_that_waited_past_its_own_limit_is_shed(waited_socket, settings):
    settings.CLARION_SHED_ACTIONS_AFTER_MS = 100
    request = RequestFactory().post("/act/3/", {"email": "ana@example.org"})
    assert through(request, waited_socket).status_code == 503
    assert not request.served


@pytest.mark.parametrize("path", ["/admin/settings/cms/surgemode/1/", "/health/", "/metrics"])
def test_the_admin_health_checks_and_metrics_are_never_shed(waited_socket, path):
    request = RequestFactory().get(path)
    assert through(request, waited_socket).status_code == 200


def test_a_limit_of_zero_and_a_request_without_gunicorns_socket_are_never_shed(
    waited_socket, settings
):
    assert through(RequestFactory().get("/en/")).status_code == 200
    settings.CLARION_SHED_VIEWS_AFTER_MS = 0
    assert through(RequestFactory().get("/en/"), waited_socket).status_code == 200
