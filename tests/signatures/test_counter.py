"""The counter: counted rows + offset, exact under concurrency and moderation, read from cache."""

import threading
import time
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


@pytest.mark.django_db
def test_pollers_wait_for_no_recount_while_one_reader_recounts(campaign, either_cache):
    """However many pollers find the count stale at once, one recounts; the others are
    answered with the count it replaces, without a query."""
    from django.core.cache import cache

    signing.record_signature(campaign, details(1))
    assert counter.displayed_count(campaign) == 1
    signing.record_signature(campaign, details(2))
    cache.delete(counter._fresh_key(campaign.pk))  # the count's freshness ran out
    assert cache.add(counter._recount_key(campaign.pk), "another reader", 5)  # mid-recount

    with CaptureQueriesContext(connection) as queries:
        answers = {counter.displayed_count(campaign) for _ in range(50)}
    assert (answers, len(queries)) == ({1}, 0)

    cache.delete(counter._recount_key(campaign.pk))  # that reader is done (or gave up)
    assert counter.displayed_count(campaign) == 2


@pytest.mark.redis
@pytest.mark.django_db
def test_a_crowd_of_pollers_on_redis_costs_one_recount_per_interval(
    campaign, redis_cache, monkeypatch
):
    """Forty pollers in forty threads find the count stale at the same moment, on the Redis
    cache as in production: one recounts (slowly, while the others arrive), the others are
    answered at once with the count it replaces; fresh again, nobody recounts."""
    signing.record_signature(campaign, details(1))
    assert counter.counted_signatures(campaign.pk) == 1
    recounts = []

    def slow_recount(campaign_id):
        recounts.append(campaign_id)
        time.sleep(0.5)  # still recounting while the rest of the crowd arrives
        return 2

    monkeypatch.setattr(counter, "read_count", slow_recount)
    redis_cache.delete(counter._fresh_key(campaign.pk))  # the count's freshness ran out
    crowd = threading.Barrier(40)

    def poll(_):
        crowd.wait()
        return counter.counted_signatures(campaign.pk)

    with ThreadPoolExecutor(40) as pool:
        answers = list(pool.map(poll, range(40)))

    assert recounts == [campaign.pk]
    assert set(answers) <= {1, 2} and answers.count(2) == 1
    assert counter.counted_signatures(campaign.pk) == 2
    assert recounts == [campaign.pk]


@pytest.mark.django_db
def test_moderation_is_shown_at_the_next_read_even_during_a_recount(campaign, either_cache):
    from django.core.cache import cache

    signing.record_signature(campaign, details(1))
    assert counter.displayed_count(campaign) == 1
    cache.add(counter._recount_key(campaign.pk), "another reader", 5)
    Signature.objects.update(status=Signature.Status.REJECTED)
    counter.changed(campaign.pk)
    assert counter.displayed_count(campaign) == 0


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


def rows_counted(campaign) -> int:
    return Signature.objects.filter(campaign=campaign).counted().count()


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_kept_count_follows_every_change_of_a_signature(site, django_user_model):
    """The trigger's count equals a COUNT of the rows after each way a row can change."""
    from signatures.services import confirmation, moderation, privacy

    moderator = django_user_model.objects.create_user("moderator", "m@example.org", "x")
    campaign = CampaignPageFactory(parent=site.root_page)
    other = CampaignPageFactory(parent=site.root_page)
    for n in range(5):
        signing.record_signature(campaign, details(n))
    signing.record_signature(campaign, details(0))  # a repeat changes nothing

    def agrees():
        return counter.read_count(campaign.pk) == rows_counted(campaign) and counter.read_count(
            other.pk
        ) == rows_counted(other)

    assert counter.read_count(campaign.pk) == 5 and agrees()
    first, second, third = Signature.objects.filter(campaign=campaign).order_by("pk")[:3]

    moderation.set_status([first.pk, second.pk], Signature.Status.REJECTED, moderator)
    assert counter.read_count(campaign.pk) == 3 and agrees()
    moderation.set_status([second.pk], Signature.Status.SPAM, moderator)  # not counted either
    assert counter.read_count(campaign.pk) == 3 and agrees()
    moderation.set_status([first.pk, second.pk], Signature.Status.COUNTED, moderator)
    assert counter.read_count(campaign.pk) == 5 and agrees()
    moderation.invalidate(
        moderation.Rule(campaign_id=campaign.pk, email_domain="example.org"), moderator
    )
    assert counter.read_count(campaign.pk) == 0 and agrees()
    Signature.objects.filter(pk=third.pk).update(status=Signature.Status.COUNTED)  # a bulk update
    assert counter.read_count(campaign.pk) == 1 and agrees()
    privacy.erase_supporter(third.email, moderator)  # erased, still counted
    assert counter.read_count(campaign.pk) == 1 and agrees()
    Signature.objects.filter(pk=third.pk).update(campaign=other)  # moved to another campaign
    assert (counter.read_count(campaign.pk), counter.read_count(other.pk)) == (0, 1) and agrees()
    Signature.objects.filter(pk=third.pk).delete()
    assert counter.read_count(other.pk) == 0 and agrees()

    other.confirmation_required = True
    other.save()
    pending, _ = signing.record_signature(other, details(9))
    assert counter.read_count(other.pk) == 0 and agrees()
    confirmation.confirm_signature(confirmation.token_for(Signature.objects.get(pk=pending.pk)))
    assert counter.read_count(other.pk) == 1 and agrees()


@pytest.mark.postgres
@pytest.mark.django_db
def test_reading_the_count_does_not_scan_the_signatures(campaign):
    for n in range(3):
        signing.record_signature(campaign, details(n))
    with CaptureQueriesContext(connection) as queries:
        assert counter.read_count(campaign.pk) == 3
    assert len(queries) == 1
    assert "signatures_signature" not in queries[0]["sql"]
    assert "signatures_campaigncount" in queries[0]["sql"]
