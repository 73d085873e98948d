import pytest
from django.template import Template
from django.test.utils import _TestState

from signatures.caching import live_campaigns


@pytest.fixture
def unguarded(settings):
    """Every generated input reaches validation and the sign service.

    The abuse guard (minimum fill time, rate limits) has its own tests. The campaign does not
    change during a run, so each process keeps it between posts, as in production.
    """
    settings.CLARION_MIN_FILL_SECONDS = 0
    settings.CLARION_RATE_LIMIT = "0/300"
    settings.CLARION_LOOKUP_RATE_LIMIT = "0/300"
    settings.CLARION_BEACON_RATE_LIMIT = "0/300"
    settings.CLARION_CAMPAIGN_CACHE_SECONDS = 3600
    live_campaigns.forget()
    yield
    live_campaigns.forget()


@pytest.fixture
def uninstrumented_templates(monkeypatch):
    # The test client's per-template instrumentation (for response.context) triples the
    # cost of a page render; the property tests read what they need from the response.
    monkeypatch.setattr(Template, "_render", _TestState.saved_data.template_render)
