"""A surge through a real gunicorn on the test database (issue 32).

- Load shedding: a request that waited too long for a worker is answered 503 with
  Retry-After at once, page views and polls before actions; an action is stored or refused
  with a 503 the supporter can retry, never answered without its row.
- Shared links (utm tags, click ids) are served the cached page and still counted by their
  tags in the campaign's statistics.
- The administrators' surge switch reaches every web process without a restart.

The worker is kept busy by a request whose headers are not finished (a sync worker reads
one request at a time): the requests sent meanwhile wait in the listen queue, as in a surge.
"""

import http.client
import json
import socket
import time
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from urllib.parse import urlencode

import pytest

from bench.servers import Gunicorn, app_env
from cms.base.models import SurgeMode
from insights import page_views
from reporting.figures import campaign_figures
from signatures.models import Signature
from tests.factories import CampaignPageFactory
from tests.moderation.conftest import make_user
from tests.waiting import wait_until

from .conftest import database_url

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

#: Longer than the views' limit, shorter than the actions' (set for the web server below).
QUEUED_SECONDS = 1.0
SHED = {
    "CLARION_SHED_VIEWS_AFTER_MS": "300",
    "CLARION_SHED_ACTIONS_AFTER_MS": "4000",
    "CLARION_SHED_RETRY_AFTER": "7",
}
SHARED_LINK = "utm_source=facebook&utm_medium=share&utm_campaign=water&fbclid=IwAR"


@pytest.fixture
def shedding():
    """Load shedding's limits for the web server (off, as in every other integration test)."""
    return {}


@pytest.fixture
def web(tmp_path, broker, site, settings, shedding):
    """gunicorn with one sync worker, sharing the test database and a Redis cache."""
    cache_url = broker.url(1)
    settings.CACHES = {
        "default": {"BACKEND": "cms.base.redis_clients.RedisCache", "LOCATION": cache_url}
    }
    env = app_env(database_url(), "", cache_url=cache_url, **shedding)
    server = Gunicorn(env, tmp_path / "web.log", workers=1)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def raw_request(method, path, body="", headers=None) -> bytes:
    head = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    head += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body:
        head += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
    return ("\r\n".join(head) + "\r\n\r\n" + body).encode()


def answer(sock) -> tuple[int, dict, bytes]:
    """The answer on `sock`, read to its end; then the socket is closed, as a browser does
    (gunicorn lingers up to 2 s after each answer for the client to close first)."""
    with sock:
        response = http.client.HTTPResponse(sock)
        response.begin()
        return response.status, dict(response.getheaders()), response.read()


@contextmanager
def worker_held(port, seconds):
    """Keeps the only worker reading an unfinished request for `seconds`; yields a function
    that sends a request meanwhile (it waits in the listen queue) and returns its socket."""
    holder = socket.create_connection(("127.0.0.1", port))
    holder.sendall(b"GET /health/live/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    time.sleep(0.2)  # the worker has taken it and reads on
    readers = ThreadPoolExecutor(max_workers=8)

    def send(data: bytes) -> Future:
        """Sends `data` on a new connection; the future is its answer, read when it comes."""
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(data)
        return readers.submit(answer, sock)

    try:
        yield send
        time.sleep(seconds)  # what the queued requests wait, behind the unfinished one
        holder.sendall(b"Connection: close\r\n\r\n")
        assert answer(holder)[0] == 200
    finally:
        holder.close()
        readers.shutdown(wait=False)


def action(email) -> str:
    return urlencode({"first_name": "Ana", "last_name": "Okonjo", "email": email})


@pytest.mark.parametrize("shedding", [SHED])
def test_past_the_knee_views_are_shed_first_and_no_action_is_lost(web, site):
    campaign = CampaignPageFactory(parent=site.root_page)
    act, page = f"/act/{campaign.pk}/", campaign.url
    counter = f"/api/v3/campaigns/{campaign.pk}/counter/"
    # A worker's first requests load the code and data it keeps (seconds on a busy machine):
    # not what this test measures the wait of.
    # The worker boots after the port opens: the first request waits for it (never shed).
    for path in ("/health/live/", page, page, counter, "/admin/login/"):
        assert get(web.port, path).status in (200, 302)
    assert post(web.port, act, action("warm@example.org")) == 302

    with worker_held(web.port, QUEUED_SECONDS) as send:
        view = send(raw_request("GET", f"{page}?{SHARED_LINK}"))
        poll = send(raw_request("GET", counter))
        stored = send(raw_request("POST", act, action("waited@example.org")))
        admin = send(raw_request("GET", "/admin/login/"))

    status, headers, body = view.result(timeout=30)
    assert (status, headers["Retry-After"], headers["Cache-Control"]) == (503, "7", "no-store")
    assert "So many people are here that we could not answer" in body.decode()
    assert "Nothing you sent has been saved" in body.decode()
    status, headers, body = poll.result(timeout=30)
    assert (status, headers["Retry-After"]) == (503, "7")
    assert headers["Content-Type"] == "application/problem+json"
    assert "nothing was saved" in json.loads(body)["detail"]
    # The action waited as long, under its own limit: stored, and answered as ever.
    assert stored.result(timeout=30)[0] == 302
    assert Signature.objects.filter(email="waited@example.org").count() == 1
    assert admin.result(timeout=30)[0] == 200  # the administrator can still reach the surge switch

    # Waiting past the actions' limit too: refused before anything is written, then the
    # supporter's retry goes through.
    with worker_held(web.port, 4.5) as send:
        refused = send(raw_request("POST", act, action("retry@example.org")))
    status, headers, body = refused.result(timeout=30)
    assert (status, headers["Retry-After"]) == (503, "7")
    assert "Nothing you sent has been saved" in body.decode()
    assert not Signature.objects.filter(email="retry@example.org").exists()
    assert post(web.port, act, action("retry@example.org")) == 302
    assert Signature.objects.filter(email="retry@example.org").count() == 1


def post(port, path, body) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})
    status = connection.getresponse().status
    connection.close()
    return status


def get(port, path) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_shared_links_are_served_from_the_cache_and_counted_by_their_tags(web, site):
    campaign = CampaignPageFactory(parent=site.root_page)
    for _ in range(3):  # the first visits render and keep the page (test_page_cache.py)
        assert get(web.port, campaign.url).status == 200

    tagged = [get(web.port, f"{campaign.url}?{SHARED_LINK}{n}") for n in range(5)]
    clicked = get(web.port, f"{campaign.url}?gclid=abc&utm_source=search")

    assert [response.getheader("X-Clarion-Cache") for response in tagged] == ["hit"] * 5
    assert clicked.getheader("X-Clarion-Cache") == "hit"

    # The web process pushes its counts to Redis every second; statistics read them from
    # there, then from the database once flushed.
    def views_pushed():
        return sum(n for key, n in page_views.pending(campaign.pk).items() if key[2] == "source")

    assert wait_until(lambda: views_pushed() == 9, 30)
    page_views.flush()
    sources = {row.value: row.views for row in campaign_figures(campaign).breakdowns["source"]}
    assert (sources["facebook / share"], sources["search"]) == (5, 1)
    shares = campaign_figures(campaign).breakdowns["shares"]
    assert [(row.value, row.views) for row in shares] == [("facebook", 5)]


def test_the_administrators_switch_reaches_the_web_processes_without_a_restart(web, site, client):
    campaign = CampaignPageFactory(parent=site.root_page)
    counter = f"/api/v3/campaigns/{campaign.pk}/counter/"
    edit = f"/admin/settings/cms/surgemode/{SurgeMode.load().pk}/"

    def cache_control():
        return get(web.port, counter).getheader("Cache-Control")

    assert "max-age=5," in cache_control()
    client.force_login(make_user("staff"))  # signed in, not an administrator
    assert client.post(edit, {"active": "on"}).status_code in (302, 403)
    client.force_login(make_user("root", superuser=True))
    time.sleep(3)  # past the web process's memo of the switch (cms.base.surge.MEMO_SECONDS)
    assert "max-age=5," in cache_control()  # only an administrator can throw it

    assert client.post(edit, {"active": "on"}).status_code == 302
    assert wait_until(lambda: "max-age=30," in cache_control(), 10)
    client.post(edit, {})
    assert wait_until(lambda: "max-age=5," in cache_control(), 10)
