"""Taking action through the API: the same rules as the campaign page, clear answers."""

import datetime
import json

import pytest
from django.utils import timezone

from signatures.forms import SignatureForm
from signatures.models import Delivery, Signature
from tests.factories import SUPPORTER as DETAILS
from tests.factories import CampaignPageFactory

pytestmark = pytest.mark.django_db


def sign(client, campaign_id, body, content_type="application/json", **headers):
    if not isinstance(body, str | bytes):
        body = json.dumps(body)
    return client.post(
        f"/api/v3/campaigns/{campaign_id}/signatures/",
        body,
        content_type=content_type,
        CONTENT_TYPE=content_type,  # as a real client sends it, even with an empty body
        **headers,
    )


def counter(client, campaign):
    return client.get(f"/api/v3/campaigns/{campaign.pk}/counter/")


def test_an_action_is_taken_counted_and_its_emails_queued(
    client, campaign, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = sign(client, campaign.pk, DETAILS | {"country": "PT", "consent": True})

    assert response.status_code == 202
    assert response.json() == {
        "status": "received",
        "message": campaign.thank_you_message,
        "confirmation_required": False,
    }
    signature = Signature.objects.get()
    assert (signature.email, signature.country.code, signature.consent) == (
        "ana@example.org",
        "PT",
        True,
    )
    assert signature.status == Signature.Status.COUNTED
    assert Delivery.objects.filter(signature=signature).count() == len(campaign.targets)


def test_the_counter_grows_and_may_be_cached_for_five_seconds(client, site):
    campaign = CampaignPageFactory(parent=site.root_page, counter_offset=100, counter_goal=250)
    before = counter(client, campaign)
    assert before.status_code == 200
    # No public breakdown nor milestones unless the editors set them (issue 33).
    assert before.json() == {"count": 100, "goal": 250, "breakdown": None, "milestones": []}
    # Fresh for 5 s everywhere; then a CDN serves its copy while it fetches the next one.
    directives = {part.strip() for part in before["Cache-Control"].split(",")}
    assert directives == {
        "public",
        "max-age=5",
        "s-maxage=5",
        "stale-while-revalidate=30",
        "stale-if-error=600",
    }

    sign(client, campaign.pk, DETAILS)
    assert counter(client, campaign).json()["count"] == 101


def test_field_errors_are_the_forms_own_messages_each_on_its_field(client, site):
    campaign = CampaignPageFactory(parent=site.root_page, postal_code_field="required")
    body = {"first_name": "", "last_name": "Okonjo", "email": "not-an-address"}
    response = sign(client, campaign.pk, body)

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response["Cache-Control"] == "no-store"
    errors = {tuple(error["loc"]): error["msg"] for error in response.json()["errors"]}
    form = SignatureForm(body, campaign=campaign)
    assert not form.is_valid()
    assert errors == {("body", name): " ".join(messages) for name, messages in form.errors.items()}
    assert set(errors) == {("body", "first_name"), ("body", "email"), ("body", "postal_code")}
    assert not Signature.objects.exists()


def test_a_repeat_gets_the_very_same_answer_and_changes_nothing(client, campaign):
    first = sign(client, campaign.pk, DETAILS)
    again = sign(client, campaign.pk, DETAILS | {"email": "ANA@Example.org ", "first_name": "A"})
    assert (first.status_code, first.content) == (again.status_code, again.content)
    assert Signature.objects.get().first_name == "Ana"


def test_a_closed_campaign_refuses_with_its_message(client, site):
    campaign = CampaignPageFactory(
        parent=site.root_page,
        closes_at=timezone.now() - datetime.timedelta(hours=1),
        closed_message="This campaign has closed.",
    )
    for body in (DETAILS, {"email": "not an address"}):  # closed comes before field errors
        response = sign(client, campaign.pk, body)
        assert response.status_code == 403
        assert response.json()["detail"] == "This campaign has closed."
        assert response["Cache-Control"] == "no-store"  # refusals are never kept by a proxy
    assert not Signature.objects.exists()


def test_too_many_actions_get_429_with_retry_after(client, site, settings):
    settings.CLARION_RATE_LIMIT = "2/300"
    campaign = CampaignPageFactory(parent=site.root_page)
    for number in range(2):
        assert sign(client, campaign.pk, DETAILS | {"email": f"{number}@ex.org"}).status_code == 202
    response = sign(client, campaign.pk, DETAILS | {"email": "third@ex.org"})

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 301
    assert response["Cache-Control"] == "no-store"
    assert "Too many actions" in response.json()["detail"]
    assert Signature.objects.count() == 2


def test_details_the_form_refuses_are_not_held_against_the_limit(
    client, site, settings, either_cache
):
    settings.CLARION_RATE_LIMIT = "2/300"
    campaign = CampaignPageFactory(parent=site.root_page)
    for _attempt in range(3):
        assert sign(client, campaign.pk, DETAILS | {"email": "not an address"}).status_code == 422
    answers = [sign(client, campaign.pk, DETAILS | {"email": f"{n}@ex.org"}) for n in range(3)]
    assert [answer.status_code for answer in answers] == [202, 202, 429]


def test_a_disposable_address_is_refused_on_its_field(client, campaign):
    response = sign(client, campaign.pk, DETAILS | {"email": "someone@mailinator.com"})
    assert response.status_code == 422  # a field error, like the form's own
    assert response.json()["errors"][0]["loc"] == ["body", "email"]
    assert not Signature.objects.exists()


def test_unknown_and_draft_campaigns_are_not_found(client, campaign):
    assert sign(client, 987654, DETAILS).status_code == 404
    assert counter(client, campaign).status_code == 200
    campaign.unpublish()
    assert sign(client, campaign.pk, DETAILS).status_code == 404
    assert counter(client, campaign).status_code == 404
    assert not Signature.objects.exists()


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("{not json", "application/json", 400),
        ("", "application/json", 422),
        ("[1, 2]", "application/json", 422),
        ("[" * 5000 + "]" * 5000, "application/json", 400),  # deeper than any parser goes
        ('"a string"', "application/json", 422),
        ("null", "application/json", 422),
        ('{"first_name": 5, "last_name": [], "email": {}}', "application/json", 422),
        ('{"consent": "perhaps"}', "application/json", 422),
        ('{"email": "' + "a" * 3_000_000 + '@ex.org"}', "application/json", 413),
        ("\udcff".encode("utf-8", "surrogatepass"), "application/json", 400),
        (json.dumps(DETAILS), "text/plain", 415),
        ("first_name=Ana&email=ana@example.org", "application/x-www-form-urlencoded", 415),
    ],
)
def test_bad_input_gets_a_clear_4xx_never_a_500(client, campaign, body, content_type, status):
    response = sign(client, campaign.pk, body, content_type=content_type)
    assert response.status_code == status
    assert response.json()["detail"]
    assert not Signature.objects.exists()


def test_a_json_object_after_a_byte_order_mark_is_read_like_any_other(client, campaign):
    body = b"\xef\xbb\xbf" + json.dumps(DETAILS).encode()
    assert sign(client, campaign.pk, body).status_code == 202
    assert Signature.objects.get().email == DETAILS["email"]


@pytest.mark.parametrize("body", ["[1, 2]", json.dumps([DETAILS]), '"a string"', "null", " 5"])
def test_a_body_that_is_no_object_is_told_so_once(client, campaign, body):
    response = sign(client, campaign.pk, body)

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "loc": ["body"],
            "msg": "Send the details as one JSON object, field by field.",
            "type": "object_type",
        }
    ]
    assert not Signature.objects.exists()


def test_a_field_of_the_wrong_json_type_is_told_on_that_field_in_plain_words(client, campaign):
    body = {"first_name": 5, "last_name": ["Okonjo"], "email": "ana@example.org"}
    response = sign(client, campaign.pk, body | {"consent": "perhaps"})

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "Please correct the details below."
    errors = {tuple(error["loc"]): error["msg"] for error in response.json()["errors"]}
    assert errors == {
        ("body", "first_name"): "Send this field as text.",
        ("body", "last_name"): "Send this field as text.",
        ("body", "consent"): "Send this field as true or false.",
    }
    assert not Signature.objects.exists()


def test_text_that_is_not_text_is_told_in_the_validators_own_words(client, campaign):
    response = sign(client, campaign.pk, '{"first_name": "\\ud800", "email": "a@example.org"}')

    assert response.status_code == 422
    assert {
        "loc": ["body", "first_name"],
        "msg": "Please remove the characters that are not text.",
        "type": "value_error",
    } in response.json()["errors"]


def test_wagtails_own_routes_keep_their_validation_answer(client, campaign):
    response = client.get("/api/v3/pages/", {"limit": "many"})

    assert response.status_code == 422
    assert response.json()["detail"] == "Validation failed"
    assert [error["loc"] for error in response.json()["errors"]] == [["query", "limit"]]


def test_unexpected_fields_are_ignored_and_control_characters_refused(client, campaign):
    response = sign(client, campaign.pk, DETAILS | {"status": "spam", "is_admin": True})
    assert response.status_code == 202
    assert Signature.objects.get().status == Signature.Status.COUNTED
    response = sign(client, campaign.pk, DETAILS | {"email": "b@ex.org", "last_name": "O\nK"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "last_name"]


def test_posts_from_other_origins_are_refused_without_cookies(client, campaign, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://partner.example"]
    evil = sign(client, campaign.pk, DETAILS, HTTP_ORIGIN="https://evil.example")
    assert evil.status_code == 403
    assert evil.json()["detail"] == "Actions are not accepted from this website."
    assert evil["Cache-Control"] == "no-store"
    unreadable = sign(client, campaign.pk, "{not json", HTTP_ORIGIN="https://evil.example")
    assert unreadable.status_code == 403  # the origin is judged before the body is read
    assert not Signature.objects.exists()

    own = sign(client, campaign.pk, DETAILS, HTTP_ORIGIN="http://testserver")
    partner = sign(
        client, campaign.pk, DETAILS | {"email": "p@ex.org"}, HTTP_ORIGIN="https://partner.example"
    )
    server_to_server = sign(client, campaign.pk, DETAILS | {"email": "s@ex.org"})
    assert [own.status_code, partner.status_code, server_to_server.status_code] == [202] * 3
    # A browser's form post (no preflight) is refused whatever its origin.
    form_post = sign(
        client,
        campaign.pk,
        json.dumps(DETAILS | {"email": "f@ex.org"}),
        content_type="text/plain",
        HTTP_ORIGIN="https://partner.example",
    )
    assert form_post.status_code == 415
    assert Signature.objects.count() == 3


def test_a_session_cookie_gives_the_action_route_nothing(admin_client, campaign):
    # Logged in to the admin or not, the route behaves the same: no session auth, no CSRF.
    response = sign(admin_client, campaign.pk, DETAILS)
    assert response.status_code == 202


def test_taking_action_writes_one_row_and_reads_nothing(client, campaign, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.CLARION_CAMPAIGN_CACHE_SECONDS = 2
    sign(client, campaign.pk, DETAILS)  # loads the campaign into this process
    with CaptureQueriesContext(connection) as queries:
        response = sign(client, campaign.pk, DETAILS | {"email": "bo@example.org"})

    assert response.status_code == 202
    statements = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 1
    assert statements[0].startswith('INSERT INTO "signatures_signature"')


@pytest.mark.parametrize("cache_seconds", [0, 2])
def test_a_private_campaign_is_not_found(client, campaign, settings, cache_seconds):
    from wagtail.models import PageViewRestriction

    settings.CLARION_CAMPAIGN_CACHE_SECONDS = cache_seconds
    PageViewRestriction.objects.create(
        page=campaign, restriction_type=PageViewRestriction.PASSWORD, password="s3cret"
    )
    for _ in range(2):  # the second from the process's cache, if on
        assert sign(client, campaign.pk, DETAILS).status_code == 404
    assert not Signature.objects.exists()
