"""Campaign page views: counted on the server, with the page cache on, off the database's
hot path, and with nothing about the visitor kept."""

import re
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from insights import page_views
from insights.models import PageViewDay
from signatures import tasks
from tests.factories import CampaignPageFactory

pytestmark = pytest.mark.django_db

VISITOR_IP = "203.0.113.77"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0 unique-7f3a"
LANDING = {
    "HTTP_USER_AGENT": BROWSER,
    "REMOTE_ADDR": VISITOR_IP,
    "HTTP_ACCEPT_LANGUAGE": "fr-CA,fr;q=0.9,en;q=0.5",
    "HTTP_REFERER": "https://www.News.example.com/articles/ana-okonjo?token=secret",
}


@pytest.fixture
def page_cache(settings):
    settings.CLARION_PAGE_CACHE_SECONDS = 60


def views_of(campaign) -> dict:
    """Pending views by (dimension, value), summed over days."""
    found = {}
    for (_campaign, _day, dimension, value), n in page_views.pending(campaign.pk).items():
        found[dimension, value] = found.get((dimension, value), 0) + n
    return found


def test_views_are_counted_with_the_page_cache_on(client, campaign, page_cache):
    served = [client.get(campaign.url, **LANDING) for _ in range(4)]

    assert [response["X-Clarion-Cache"] for response in served] == ["miss", "miss", "hit", "hit"]
    assert views_of(campaign) == {
        ("source", "news.example.com"): 4,
        ("utm_campaign", ""): 4,
        ("partner_site", ""): 4,
        ("language", "fr"): 4,
        ("page_language", "en"): 4,
    }


def test_counting_a_view_writes_nothing_to_the_database(client, campaign, page_cache):
    client.get(campaign.url)
    client.get(campaign.url)  # the page cache records its count
    with CaptureQueriesContext(connection) as queries:
        response = client.get(campaign.url)

    assert response["X-Clarion-Cache"] == "hit"
    assert views_of(campaign)[("source", "")] == 3
    assert [query["sql"] for query in queries] == []


def test_the_cached_copy_carries_each_visits_own_sources(client, campaign, page_cache):
    client.get(campaign.url, **LANDING)
    client.get(campaign.url, **LANDING)
    other = client.get(campaign.url, **{**LANDING, "HTTP_REFERER": "https://social.example/"})
    again = client.get(campaign.url, **{**LANDING, "HTTP_REFERER": ""})

    assert other["X-Clarion-Cache"] == again["X-Clarion-Cache"] == "hit"
    assert 'name="referrer" value="social.example"' in other.content.decode()
    assert 'name="referrer" value=""' in again.content.decode()
    assert "news.example.com" not in again.content.decode()
    assert "Referer" in again["Vary"]
    assert "clarion:landing" not in again.content.decode()


def test_a_view_keeps_nothing_about_the_visitor(client, campaign, settings):
    response = client.get(f"{campaign.url}?utm_source=Mail&utm_medium=email", **LANDING)
    assert not response.cookies

    pending = repr(page_views.pending())
    page_views.flush()
    stored = repr(list(PageViewDay.objects.values()))

    for kept in (pending, stored):
        for personal in (VISITOR_IP, "unique-7f3a", "ana-okonjo", "secret", "articles"):
            assert personal not in kept
    assert set(PageViewDay.objects.values_list("dimension", "value", "views")) == {
        ("source", "mail / email", 1),
        ("utm_campaign", "", 1),
        ("partner_site", "", 1),
        ("language", "fr", 1),
        ("page_language", "en", 1),
    }
    # Nothing finer than the day.
    assert set(PageViewDay.objects.values_list("day", flat=True)) == {timezone.localdate()}


def test_robots_prefetches_editors_and_other_pages_are_not_counted(client, campaign, admin_user):
    client.get(campaign.url, HTTP_USER_AGENT="Googlebot/2.1 (+http://www.google.com/bot.html)")
    client.get(campaign.url, HTTP_SEC_PURPOSE="prefetch")
    client.head(campaign.url)
    client.get(campaign.url + campaign.reverse_subpage("thank_you"))
    client.force_login(admin_user)
    client.get(campaign.url)

    assert page_views.pending() == {}


def test_flushing_adds_the_views_to_the_days_rows_once(client, campaign):
    for _ in range(3):
        client.get(campaign.url)
    assert page_views.flush() == 15  # 3 views x 5 breakdowns
    client.get(campaign.url)
    page_views.flush()
    assert page_views.flush() == 0

    assert PageViewDay.objects.get(campaign=campaign, dimension="source").views == 4
    assert page_views.pending() == {}


def test_a_breakdown_keeps_a_bounded_number_of_values_a_day(campaign, monkeypatch):
    monkeypatch.setattr(page_views, "MOST_VALUES", 3)
    for n in range(6):
        page_views.count(campaign.pk, {"utm_campaign": f"made-up-{n}"})
        page_views.flush()

    values = PageViewDay.objects.filter(dimension="utm_campaign").values_list("value", "views")
    assert len(values) == 4
    assert dict(values)[page_views.OTHER] == 3
    assert sum(views for _value, views in values) == 6


def test_views_of_a_deleted_campaign_are_dropped_when_flushed(site):
    gone = CampaignPageFactory(parent=site.root_page)
    page_views.count(gone.pk, {"source": ""})
    gone.delete()

    assert page_views.flush() == 0
    assert not PageViewDay.objects.exists()


def test_the_beacon_counts_a_view_sent_by_the_page_behind_a_cdn(client, campaign, settings):
    settings.CLARION_VIEW_BEACON = True
    html = client.get(campaign.url).content.decode()
    assert page_views.pending() == {}  # the server does not count it: the script does
    beacon = reverse("signatures:view", args=[campaign.pk])
    assert f'data-clarion-view="{beacon}"' in html
    assert re.search(r'<input type="hidden" name="utm_source" value="">', html)

    sent = client.post(
        beacon,
        {"utm_source": "Newsletter", "referrer": "https://www.news.example.com/a/b"},
        HTTP_ACCEPT_LANGUAGE="es",
    )

    assert sent.status_code == 204 and sent["Cache-Control"] == "no-store"
    assert views_of(campaign) == {
        ("source", "newsletter"): 1,
        ("utm_campaign", ""): 1,
        ("partner_site", ""): 1,
        ("language", "es"): 1,
        ("page_language", "en"): 1,
    }


def test_the_beacon_answers_other_methods_and_campaigns_with_4xx(client, campaign):
    assert client.get(reverse("signatures:view", args=[campaign.pk])).status_code == 405
    assert client.post(reverse("signatures:view", args=[campaign.pk + 999])).status_code == 404
    assert page_views.pending() == {}


def test_an_embedded_forms_view_counts_its_partner_site(client, campaign, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://www.partner.example.org"]
    client.post(
        reverse("signatures:view", args=[campaign.pk]),
        {"utm_source": "partner-list"},
        HTTP_ORIGIN="https://www.partner.example.org",
    )

    assert views_of(campaign)[("partner_site", "partner.example.org")] == 1
    assert views_of(campaign)[("source", "partner-list")] == 1


# Strangers bending the figures (issue 29, finding 3) ----------------------------------------


def beacon(client, campaign, address=VISITOR_IP, **posted):
    return client.post(
        reverse("signatures:view", args=[campaign.pk]),
        posted,
        REMOTE_ADDR=address,
        HTTP_USER_AGENT=BROWSER,
    )


@pytest.mark.postgres
def test_the_beacon_counts_a_few_views_a_network_not_a_stream(
    client, campaign, settings, either_cache
):
    settings.CLARION_BEACON_RATE_LIMIT = "3/300"

    answers = [beacon(client, campaign, utm_source="inflated").status_code for _ in range(5)]

    assert answers == [204, 204, 204, 429, 429]
    assert (
        beacon(client, campaign, address="198.51.100.9", utm_source="inflated").status_code == 204
    )
    assert views_of(campaign)[("source", "inflated")] == 4


@pytest.mark.postgres
def test_only_an_origin_the_site_allows_is_a_partner_site(client, campaign, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://partner.example.org"]
    view = reverse("signatures:view", args=[campaign.pk])

    client.post(view, HTTP_ORIGIN="https://made-up.example.net", REMOTE_ADDR="192.0.2.1")
    client.post(view, HTTP_ORIGIN="https://partner.example.org", REMOTE_ADDR="192.0.2.2")

    partners = {v: n for (dim, v), n in views_of(campaign).items() if dim == "partner_site"}
    assert partners == {"": 1, "partner.example.org": 1}


@pytest.mark.postgres
def test_junk_sent_early_cannot_push_real_sources_out_of_the_breakdown(
    client, campaign, settings, monkeypatch
):
    monkeypatch.setattr(page_views, "MOST_VALUES", 10)
    for n in range(15):  # from as many networks as it takes
        beacon(client, campaign, address=f"192.0.2.{n}", utm_source=f"junk-{n}")
    page_views.flush()
    for n in range(3):
        beacon(client, campaign, address=f"198.51.100.{n}", utm_source="newsletter")
    page_views.flush()

    sources = dict(PageViewDay.objects.filter(dimension="source").values_list("value", "views"))
    assert sources["newsletter"] == 3
    assert len(sources) == 11  # ten values and "(other)"
    assert sources[page_views.OTHER] == 6
    assert sum(sources.values()) == 18  # nothing lost


@pytest.mark.redis
def test_on_redis_views_wait_in_one_hash_until_the_beat_task_flushes_them(
    client, campaign, redis_cache, page_cache
):
    for _ in range(3):
        client.get(f"{campaign.url}?utm_source=radio", **LANDING)
    page_views.push()  # as its thread does every second
    assert page_views._local == {}  # shared by every process, not kept in this one

    backend = redis_cache._cache
    raw = backend.get_client(write=False).hgetall(redis_cache.make_key(page_views.PENDING_KEY))
    assert sum(int(n) for n in raw.values()) == 15
    assert not any(VISITOR_IP.encode() in field or b"unique" in field for field in raw)
    assert views_of(campaign)[("source", "radio")] == 3

    tasks.flush_page_views_task()

    assert page_views.pending() == {}
    assert PageViewDay.objects.get(campaign=campaign, dimension="source").views == 3
    client.get(campaign.url)
    assert views_of(campaign) == {
        ("source", ""): 1,
        ("utm_campaign", ""): 1,
        ("partner_site", ""): 1,
        ("language", ""): 1,
        ("page_language", "en"): 1,
    }


@pytest.mark.redis
def test_on_redis_each_process_hands_its_views_on_within_a_second_or_two(campaign, redis_cache):
    page_views.count(campaign.pk, {"source": "radio"})

    backend = redis_cache._cache.get_client(write=False)
    key = redis_cache.make_key(page_views.PENDING_KEY)
    deadline = time.monotonic() + 10
    while not backend.hgetall(key) and time.monotonic() < deadline:
        time.sleep(0.1)  # the process's own thread pushes; the test does not

    assert {
        field.decode().split("\t", 1)[1]: int(n) for field, n in backend.hgetall(key).items()
    } == {f"{campaign.pk}\tsource\tradio": 1}
    assert page_views._local == {}
