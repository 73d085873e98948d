import pytest

from tests.factories import CampaignPageFactory, SiteFactory
from tests.services import MARKERS, REQUIRE_ALL
from tests.smtp import RecordingSMTPServer
from tests.webhooks import Receiver


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
def _fresh_cache():
    from django.core.cache import cache

    from signatures import counter

    # Page ids repeat across tests (rolled back), so the counter's per-process memo of
    # recent bumps must go with the cache, or one test's bump hides the next one's.
    counter._bumped.clear()
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def site(db):
    return SiteFactory()


@pytest.fixture
def campaign(site):
    return CampaignPageFactory(parent=site.root_page)


@pytest.fixture
def receiver():
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
