"""The counter: counted rows + offset, exact under concurrency and moderation, read from cache."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from signatures import counter
from signatures.models import Signature
from signatures.services import signing
from tests.factories import CampaignPageFactory

DETAILS = {"first_name": "Ana", "last_name": "Okonjo"}


def details(n):
    return DETAILS | {"email": f"supporter{n}@example.org"}


@pytest.mark.django_db
def test_reading_the_counter_is_a_cache_hit(campaign):
    signing.record_signature(campaign, details(1))
    assert counter.displayed_count(campaign) == 1
    with CaptureQueriesContext(connection) as queries:
        for _ in range(10):
            assert counter.displayed_count(campaign) == 1
    assert len(queries) == 0


@pytest.mark.django_db
def test_the_count_follows_moderation_exactly(site):
    campaign = CampaignPageFactory(parent=site.root_page, counter_offset=100)
    for n in range(3):
        signing.record_signature(campaign, details(n))
    assert counter.displayed_count(campaign) == 103

    Signature.objects.filter(email="supporter0@example.org").update(
        status=Signature.Status.REJECTED
    )
    counter.changed(campaign.pk)  # what moderation calls after any status change
    assert counter.displayed_count(campaign) == 102


@pytest.mark.django_db
def test_busy_campaigns_recount_at_most_once_a_second(campaign):
    counter.displayed_count(campaign)
    signing.record_signature(campaign, details(1))  # the first action of the second: shown at once
    assert counter.displayed_count(campaign) == 1
    signing.record_signature(campaign, details(2))  # within the same second: no recount yet
    with CaptureQueriesContext(connection) as queries:
        stale = counter.displayed_count(campaign)
    assert (stale, len(queries)) == (1, 0)


@pytest.mark.django_db
def test_a_stale_count_is_at_most_five_seconds_old(campaign, monkeypatch):
    from django.core.cache.backends import locmem

    signing.record_signature(campaign, details(1))
    assert counter.displayed_count(campaign) == 1
    signing.record_signature(campaign, details(2))  # not shown yet: the bump was used by the first
    assert counter.displayed_count(campaign) == 1
    later = locmem.time.time() + counter.FRESHNESS_SECONDS + 0.01
    monkeypatch.setattr(locmem.time, "time", lambda: later)
    assert counter.displayed_count(campaign) == 2
    assert counter.FRESHNESS_SECONDS < 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_counter_is_exact_after_200_concurrent_signers(site):
    """200 supporters (and 40 repeats racing them) sign at once through the real service."""
    campaign = CampaignPageFactory(parent=site.root_page, counter_offset=7)
    start = threading.Barrier(24)
    errors = []

    def sign(n):
        try:
            if n < 24:
                start.wait(30)  # the first wave hits the database at the same instant
            _, created = signing.record_signature(campaign, details(n % 200))
            counter.displayed_count(campaign)  # readers run among the writers
            return created
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=24) as pool:
        created = list(pool.map(sign, range(240)))

    assert errors == []
    assert created.count(True) == 200 and created.count(False) == 40
    assert Signature.objects.filter(campaign=campaign).count() == 200
    counter.changed(campaign.pk)
    assert counter.displayed_count(campaign) == 207
