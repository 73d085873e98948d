import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.availability import MARKERS, REQUIRE_ALL
from tests.factories import CampaignPageFactory, DirectoryFactory, SiteFactory, representative
from tests.smtp import RecordingSMTPServer
from tests.webhooks import LOCAL_RECEIVER_ENV, Receiver, allow_local_receiver


def pytest_collection_modifyitems(items):
    # Under pytest-xdist (`make test`): the tests that start servers, brokers and workers of
    # their own share one process, one at a time, so they never compete for ports or cores
    # with each other; everything else spreads over the rest.
    for item in items:
        if item.nodeid.startswith("tests/integration/"):
            item.add_marker(pytest.mark.xdist_group("integration"))


def pytest_runtest_setup(item):
    for name, missing in MARKERS.items():
        if item.get_closest_marker(name) and (reason := missing()):
            if REQUIRE_ALL:
                pytest.fail(f"CLARION_REQUIRE_SERVICES=1 but this test {reason}", pytrace=False)
            pytest.skip(reason)


@pytest.fixture(autouse=True)
def _fresh_cache(monkeypatch):
    from django.core.cache import cache

    from cms.base import surge
    from insights import page_views
    from signatures import counter

    # Page ids repeat across tests (rolled back), so the counter's per-process memo of
    # recent bumps must go with the cache, or one test's bump hides the next one's.
    counter._bumped.clear()
    # Page views wait in the process until a test flushes them (the suite takes minutes:
    # the first view after a minute would flush them on its own).
    page_views._local.clear()
    monkeypatch.setattr(page_views, "_next_flush", float("inf"))
    surge.forget()  # the switch is read again from this test's cache and database
    cache.clear()
    yield
    cache.clear()
    page_views._local.clear()


@pytest.fixture
def redis_cache(settings):
    """The cache on the Redis broker's server, under a prefix of this test's own."""
    import uuid

    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "cms.base.redis_clients.RedisCache",
            "LOCATION": settings.CELERY_BROKER_URL,
            "KEY_PREFIX": prefix,
        }
    }
    from django.core.cache import cache

    yield cache
    client = cache._cache.get_client(write=True)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@pytest.fixture(params=["in-process", pytest.param("redis", marks=pytest.mark.redis)])
def either_cache(request):
    """The test runs twice: on the in-process cache, and on Redis as in production, where
    the rate limit counts in a round trip of its own (abuse.count_in_window)."""
    if request.param == "redis":
        request.getfixturevalue("redis_cache")
    return request.param


@pytest.fixture
def site(db):
    return SiteFactory()


@pytest.fixture
def campaign(site):
    return CampaignPageFactory(parent=site.root_page)


@pytest.fixture
def directory(db):
    """A directory of two representatives, each of a district and a postal prefix."""
    directory = DirectoryFactory(name="House of Commons")
    representative(directory, "Bea Ottawa", ["K1A"], salutation="Ms", district="Ottawa Centre")
    representative(directory, "Cy Toronto", ["M5V"], salutation="Mr", district="Spadina")
    return directory


@pytest.fixture
def local_receiver_allowed(settings, monkeypatch):
    """Webhooks may reach a Receiver (plain http on 127.0.0.1), in this process and in any
    worker started after this fixture: settings for local testing, off everywhere else."""
    allow_local_receiver(settings)
    for name, value in LOCAL_RECEIVER_ENV.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def receiver(local_receiver_allowed):
    """A real HTTP server on loopback standing in for the CRM: it records every POST."""
    with Receiver() as receiver:
        yield receiver


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on loopback; Django sends to it for the test's duration."""
    with RecordingSMTPServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = server.host, server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        yield server


@pytest.fixture
def migrate_to():
    """Moves the test database to the given migrations (by default the latest) and returns
    the models as they were there; afterwards back to the latest, or every later test in
    this process would meet the columns those migrations add missing."""

    def migrate(targets=None):
        executor = MigrationExecutor(connection)
        targets = targets or executor.loader.graph.leaf_nodes()
        executor.migrate(targets)
        return executor.loader.project_state(targets).apps

    yield migrate
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
