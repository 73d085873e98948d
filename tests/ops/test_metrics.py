"""/metrics: django-prometheus's request and database metrics and Clarion's own, never
public."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from signatures.models import Delivery, Signature
from tests.factories import CampaignPageFactory, TargetFactory
from tests.signatures.test_delivery import DETAILS

pytestmark = pytest.mark.django_db

TOKEN = "scrape-token-for-tests-0123456789"


def scrape(client, **headers) -> dict[tuple, float]:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def sample(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def token(settings):
    settings.CLARION_METRICS_TOKEN = TOKEN
    return {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}


def test_with_a_token_a_request_without_it_is_refused_even_from_loopback(client, token):
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer wrong"}, {"HTTP_AUTHORIZATION": TOKEN}):
        response = client.get("/metrics", REMOTE_ADDR="127.0.0.1", **headers)
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert b"clarion_" not in response.content

    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9", **token).status_code == 200


def test_without_a_token_only_this_machine_unproxied_is_served(client, settings):
    settings.CLARION_METRICS_TOKEN = ""

    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 401
    # A proxy on this machine forwards the world's requests from loopback.
    forwarded = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert forwarded.status_code == 401


def test_requests_and_queries_are_measured_by_django_prometheus(client, token, campaign):
    before = scrape(client, **token)
    client.get(campaign.url)
    after = scrape(client, **token)

    def total(samples, name):
        return sum(value for (key, _), value in samples.items() if key == name)

    assert total(after, "django_http_requests_total_by_method_total") > total(
        before, "django_http_requests_total_by_method_total"
    )
    assert total(after, "django_db_execute_total") > total(before, "django_db_execute_total")


def test_responses_are_counted_by_status_and_timed_by_view(client, token, campaign):
    before = scrape(client, **token)
    client.get(campaign.url)
    client.get("/no-such-page/")
    after = scrape(client, **token)

    # A scrape's own response is counted once it is complete: the first is in `after`.
    name = "django_http_responses_total_by_status_total"
    assert sample(after, name, status="200") == sample(before, name, status="200") + 2
    assert sample(after, name, status="404") == sample(before, name, status="404") + 1
    timed = "django_http_requests_latency_seconds_by_view_method_count"
    views = {dict(labels)["view"] for (name, labels) in after if name == timed}
    assert "wagtail_serve" in views
    # Each query is timed too, by the database wrapper.
    assert sum(v for (n, _), v in after.items() if n == "django_db_query_duration_seconds_count")


def test_made_up_methods_are_counted_as_one_series(client, token):
    for method in ("BREW", "WHEN", "PROPFIND"):
        client.generic(method, "/health/live/")
    samples = scrape(client, **token)

    methods = {
        dict(labels)["method"]
        for (name, labels) in samples
        if name == "django_http_requests_total_by_method_total"
    }
    assert "other" in methods
    assert not methods & {"BREW", "WHEN", "PROPFIND"}


def test_actions_are_counted_by_outcome_and_reason(client, token, site, settings):
    settings.CLARION_RATE_LIMIT = "1/300"
    campaign = CampaignPageFactory(parent=site.root_page, targets=[TargetFactory()])
    url = reverse("signatures:sign", args=[campaign.pk])
    before = scrape(client, **token)

    client.post(url, DETAILS)  # accepted
    client.post(url, DETAILS | {"email": "not an address"})  # invalid
    client.post(url, DETAILS | {"email": "bo@example.org"})  # over the rate limit

    after = scrape(client, **token)
    for labels in (
        {"outcome": "accepted", "reason": ""},
        {"outcome": "refused", "reason": "invalid"},
        {"outcome": "refused", "reason": "too_many"},
    ):
        assert sample(after, "clarion_actions_total", **labels) == (
            sample(before, "clarion_actions_total", **labels) + 1
        ), labels


def test_deliveries_and_the_outbox_are_read_from_the_database(client, token, campaign):
    sent = signature(campaign, dispatched_at=timezone.now())
    Delivery.objects.create(signature=sent, target=TargetFactory(), state="sent", outcome="bounced")
    samples = scrape(client, **token)
    assert sample(samples, "clarion_deliveries", state="sent", outcome="bounced") == 1
    assert sample(samples, "clarion_outbox_backlog") == 0
    assert sample(samples, "clarion_outbox_oldest_seconds") == 0

    waiting = signature(campaign, email="bo@example.org")  # not handed to the workers yet
    Signature.objects.filter(pk=waiting.pk).update(
        created_at=timezone.now() - timedelta(seconds=90)
    )
    samples = scrape(client, **token)
    assert sample(samples, "clarion_outbox_backlog") == 1
    assert sample(samples, "clarion_outbox_oldest_seconds") >= 90


def signature(campaign, email="ana@example.org", **fields):
    return Signature.objects.create(
        campaign=campaign,
        first_name="Ana",
        last_name="Okonjo",
        email=email,
        email_key=email,
        status=Signature.Status.COUNTED,
        **fields,
    )
