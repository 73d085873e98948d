"""Every abuse rule answers with a clear message and a 4xx, never a 500."""

import re
import time

import pytest
from django.core import signing
from django.urls import reverse

from signatures import abuse
from signatures.abuse import ActionRefused
from signatures.models import Signature
from signatures.services.signing import record_signature
from tests.factories import SUPPORTER as VALID

pytestmark = pytest.mark.django_db


def sign_url(campaign):
    return reverse("signatures:sign", args=[campaign.pk])


def started(seconds_ago):
    return signing.dumps(int(time.time()) - seconds_ago, salt=abuse.STARTED_SALT)


@pytest.fixture
def fill_time(settings):
    settings.CLARION_MIN_FILL_SECONDS = 3


def test_the_page_form_carries_the_guard_and_no_csrf_token(client, campaign, fill_time):
    html = client.get(campaign.url).content.decode()
    assert 'name="website"' in html and "Leave this field empty" in html
    assert 'name="started"' in html
    assert "csrfmiddlewaretoken" not in html


def test_a_form_sent_after_the_minimum_time_is_accepted(client, campaign, fill_time):
    response = client.post(sign_url(campaign), VALID | {"started": started(5)})
    assert response.status_code == 302
    assert Signature.objects.count() == 1


@pytest.mark.parametrize(
    "extra, message",
    [
        (lambda: {"started": started(0)}, "quicker than a person"),
        (lambda: {}, "open for too long"),
        (lambda: {"started": "1700000000:forged"}, "open for too long"),
        (
            lambda: {"started": started(5), "website": "http://spam.example"},
            "Leave this field empty",
        ),
    ],
)
def test_robots_are_refused_with_a_clear_message(client, campaign, fill_time, extra, message):
    response = client.post(sign_url(campaign), VALID | extra())

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Signature.objects.exists()


def test_an_empty_form_sent_at_once_shows_the_field_errors_alone(client, campaign, fill_time):
    """A person who presses the button before filling anything in is told what to fill in,
    not accused of being a robot; the form then keeps being timed from its first showing."""
    response = client.post(sign_url(campaign), {"started": started(0)})

    assert response.status_code == 400
    html = response.content.decode()
    assert "This field is required." in html
    assert "quicker than a person" not in html
    assert not Signature.objects.exists()


def test_a_robot_filling_every_field_at_once_is_still_refused(client, campaign, fill_time):
    every_field = VALID | {"country": "PT", "postal_code": "1000-001", "consent": "on"}
    response = client.post(sign_url(campaign), every_field | {"started": started(0)})

    assert response.status_code == 400
    assert "quicker than a person" in response.content.decode()
    assert not Signature.objects.exists()


def test_a_quick_correction_is_timed_from_when_the_form_was_first_shown(
    client, campaign, fill_time
):
    first_shown = started(5)
    refused = client.post(sign_url(campaign), VALID | {"started": first_shown, "email": "ana@"})
    assert refused.status_code == 400
    carried = re.search(r'name="started" value="([^"]+)"', refused.content.decode()).group(1)
    assert carried == first_shown

    corrected = client.post(sign_url(campaign), VALID | {"started": carried})  # at once

    assert corrected.status_code == 302
    assert Signature.objects.count() == 1


def test_an_old_form_has_expired(client, campaign, fill_time):
    response = client.post(
        sign_url(campaign), VALID | {"started": started(abuse.STARTED_MAX_AGE + 60)}
    )
    assert response.status_code == 400
    assert "open for too long" in response.content.decode()


@pytest.mark.parametrize(
    "headers, status",
    [
        ({"HTTP_SEC_FETCH_SITE": "same-origin"}, 302),
        ({"HTTP_ORIGIN": "http://testserver"}, 302),
        ({}, 302),  # no browser headers: a program, with no victim's cookies to abuse
        ({"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": "https://evil.example"}, 403),
        ({"HTTP_ORIGIN": "https://evil.example"}, 403),
        ({"HTTP_ORIGIN": "null"}, 403),
        ({"HTTP_SEC_FETCH_SITE": "same-site", "HTTP_ORIGIN": "http://sub.testserver"}, 403),
    ],
)
def test_posts_from_other_sites_are_refused(client, campaign, headers, status):
    response = client.post(sign_url(campaign), VALID, **headers)
    assert response.status_code == status
    if status == 403:
        assert "only be sent from our own campaign pages" in response.content.decode()
        assert not Signature.objects.exists()


def test_a_trusted_origin_may_post(client, campaign, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://partner.example"]
    response = client.post(
        sign_url(campaign),
        VALID,
        HTTP_SEC_FETCH_SITE="cross-site",
        HTTP_ORIGIN="https://partner.example",
    )
    assert response.status_code == 302


def test_the_rate_limit_answers_429_with_retry_after(client, site, settings):
    from tests.factories import CampaignPageFactory

    settings.CLARION_RATE_LIMIT = "5/300"
    campaign = CampaignPageFactory(parent=site.root_page)
    answers = [
        client.post(sign_url(campaign), VALID | {"email": f"p{n}@example.org"}).status_code
        for n in range(6)
    ]
    assert answers == [302] * 5 + [429]
    refused = client.post(sign_url(campaign), VALID | {"email": "p7@example.org"})
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 301
    assert "Too many actions from your connection" in refused.content.decode()
    assert Signature.objects.count() == 5
    # Another connection is not affected.
    other = client.post(
        sign_url(campaign), VALID | {"email": "q@example.org"}, REMOTE_ADDR="192.0.2.7"
    )
    assert other.status_code == 302


def test_a_post_refused_before_the_limit_is_judged_is_not_held_against_it(
    client, campaign, settings, either_cache
):
    # Only an action the form and its guard let through counts: a supporter who mistypes
    # is not locked out.
    settings.CLARION_RATE_LIMIT = "2/300"
    for _attempt in range(3):
        mistyped = client.post(sign_url(campaign), VALID | {"email": "not an address"})
        robot = client.post(sign_url(campaign), VALID | {abuse.HONEYPOT_FIELD: "http://x.example"})
        assert (mistyped.status_code, robot.status_code) == (400, 400)

    answers = [
        client.post(sign_url(campaign), VALID | {"email": f"p{n}@example.org"}).status_code
        for n in range(3)
    ]
    assert answers == [302, 302, 429]


def test_the_rate_limit_is_configurable_and_applies_to_the_service(campaign, settings):
    settings.CLARION_RATE_LIMIT = "2/60"
    for n in range(2):
        record_signature(campaign, VALID | {"email": f"s{n}@example.org"}, client_ip="203.0.113.9")
    with pytest.raises(ActionRefused) as refused:
        record_signature(campaign, VALID | {"email": "s3@example.org"}, client_ip="203.0.113.9")
    assert refused.value.status == 429
    assert 1 <= refused.value.retry_after <= 61


def test_ipv6_neighbours_in_one_64_share_the_limit(campaign, settings):
    settings.CLARION_RATE_LIMIT = "1/60"
    record_signature(campaign, VALID, client_ip="2001:db8:1:2::1")
    with pytest.raises(ActionRefused):
        record_signature(campaign, VALID | {"email": "b@example.org"}, client_ip="2001:db8:1:2::ff")


def test_the_client_address_comes_from_trusted_proxies_only(rf, settings):
    request = rf.post("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.4")
    assert abuse.client_ip(request) == "10.0.0.1"
    settings.CLARION_TRUSTED_PROXIES = 1
    assert abuse.client_ip(request) == "198.51.100.4"


@pytest.mark.parametrize("address", ["x@mailinator.com", "x@Sub.Mailinator.com", "x@yopmail.com"])
def test_disposable_addresses_are_refused_at_the_email_field(client, campaign, address):
    response = client.post(sign_url(campaign), VALID | {"email": address})

    assert response.status_code == 400
    html = response.content.decode()
    assert "are temporary" in html
    assert 'id="id_email_error"' in html
    assert not Signature.objects.exists()


def test_input_is_stored_as_given_and_escaped_when_shown(client, campaign):
    hostile = "<script>alert(1)</script>"
    response = client.post(sign_url(campaign), VALID | {"last_name": hostile, "email": "bad"})
    html = response.content.decode()
    assert hostile not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html

    client.post(sign_url(campaign), VALID | {"last_name": hostile})
    assert Signature.objects.get().last_name == hostile


@pytest.mark.parametrize(
    "field, length", [("first_name", 101), ("last_name", 101), ("email", 255), ("postal_code", 21)]
)
def test_every_field_has_a_length_limit(client, campaign, field, length):
    value = ("a" * (length - 12) + "@example.org") if field == "email" else "a" * length
    response = client.post(sign_url(campaign), VALID | {field: value})
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in response.content.decode()


@pytest.mark.redis
def test_the_rate_limit_counts_in_one_redis_key_that_expires(settings):
    import uuid

    settings.CACHES = {
        "default": {
            "BACKEND": "cms.base.redis_clients.RedisCache",
            "LOCATION": settings.CELERY_BROKER_URL,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    }
    from django.core.cache import cache

    try:
        assert [abuse.count_in_window("window", 60) for _ in range(3)] == [1, 2, 3]
        client = cache._cache.get_client(write=True)
        assert 0 < client.ttl(cache.make_and_validate_key("window")) <= 60
    finally:
        cache.delete("window")


# The started token's signature is checked once per process (abuse._signed_time): what is
# kept must never let a token through that the check itself would refuse.


def _with_signature_of(token, other):
    """`token`'s value and time under `other`'s signature."""
    return token.rsplit(":", 1)[0] + ":" + other.rsplit(":", 1)[1]


def test_a_started_token_known_to_be_good_does_not_vouch_for_forged_ones():
    shown = int(time.time()) - 5
    good = signing.dumps(shown, salt=abuse.STARTED_SALT)
    assert abuse.started_at(good) == abuse.started_at(good) == shown  # kept from here on

    other_key = signing.dumps(shown, salt=abuse.STARTED_SALT, key="not-this-sites-key")
    other_salt = signing.dumps(shown, salt="another-form")
    earlier = signing.dumps(shown - 60, salt=abuse.STARTED_SALT)
    forged = [
        other_key,
        other_salt,
        _with_signature_of(earlier, good),  # another time under a good token's signature
        good[:-1] + ("A" if good[-1] != "A" else "B"),  # a good token, one character changed
        good + "x",
    ]
    for token in forged:
        assert token != good
        assert abuse.started_at(token) is None, token
        assert abuse.started_at(token) is None, token  # nor once its answer is kept
    assert abuse.started_at(good) == shown


def test_a_form_carrying_a_token_of_another_key_is_refused(client, campaign, fill_time):
    good = started(5)
    assert client.post(sign_url(campaign), VALID | {"started": good}).status_code == 302
    forged = signing.dumps(int(time.time()) - 5, salt=abuse.STARTED_SALT, key="not-ours")

    response = client.post(
        sign_url(campaign), VALID | {"email": "bo@example.org", "started": forged}
    )

    assert response.status_code == 400
    assert "open for too long" in response.content.decode()
    assert Signature.objects.count() == 1


def test_a_kept_token_still_expires(monkeypatch):
    now = time.time()
    token = signing.dumps(int(now) - 5, salt=abuse.STARTED_SALT)
    assert abuse.started_at(token) == int(now) - 5  # its signature checked, and kept

    monkeypatch.setattr(time, "time", lambda: now + abuse.STARTED_MAX_AGE)
    assert abuse.started_at(token) is None
    monkeypatch.setattr(time, "time", lambda: now + abuse.STARTED_MAX_AGE - 10)
    assert abuse.started_at(token) == int(now) - 5  # still within its age: kept, not refused
