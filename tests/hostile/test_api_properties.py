"""Property-based tests: taking action through the API under generated hostile input.

10,000 generated requests to POST /api/v3/campaigns/<id>/signatures/: JSON of every type
where text or a boolean is expected (numbers, nulls, arrays, nested objects), huge, empty,
unicode (lone surrogates included, which JSON can carry), control characters and markup,
missing and unknown fields, and bodies that are not JSON objects at all. Whatever arrives,
the answer is never a 5xx; a rejection is a JSON problem whose detail, and each error's
message, says what is wrong; an acceptance is a signature that really exists. Derandomized,
like the form's tests, so CI sees the same inputs every time.
"""

import json

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from signatures.emails import email_key
from signatures.forms import SignatureForm
from signatures.models import Signature

from .strategies import HOSTILE, JSON_TEXT, JSON_VALUE, TEXT, examples

pytestmark = pytest.mark.django_db

MISSING = object()


@pytest.fixture
def sign_url(campaign, unguarded):
    campaign.phone_field = "optional"  # every field the API can take
    campaign.postal_code_field = "required"
    campaign.save(update_fields=["phone_field", "postal_code_field"])
    return f"/api/v3/campaigns/{campaign.pk}/signatures/"


@pytest.fixture
def field_names(campaign):
    return list(SignatureForm(campaign=campaign).fields)


def valid_details(n):
    return {
        "first_name": "Ana",
        "last_name": "Okonjo",
        "email": f"ana{n}@example.org",
        "country": "PT",
        "postal_code": "1000-001",
        "consent": True,
    }


def assert_answered_properly(response, body=None):
    """No 5xx; a rejection is a JSON problem with clear messages; an acceptance was recorded."""
    assert response.status_code < 500, response.content[:2000]
    answer = response.json()
    if response.status_code == 202:
        assert answer["status"] == "received"
        email = body.get("email") if isinstance(body, dict) else None
        assert isinstance(email, str), "accepted without an address"
        assert Signature.objects.filter(email_key=email_key(email.strip())).exists()
        return "accepted"
    assert response.status_code in (400, 413, 415, 422), response.status_code
    assert response["Content-Type"] == "application/problem+json"
    assert isinstance(answer["detail"], str) and len(answer["detail"]) > 10, answer
    for error in answer.get("errors", []):
        assert error["loc"][0] == "body", error
        assert isinstance(error["msg"], str) and len(error["msg"]) > 10, error
    return "rejected"


def test_generated_json_objects(client, sign_url, field_names):
    """Objects with any mix of the form's fields and others, each holding any JSON value."""
    outcomes = []
    keys = st.one_of(
        st.sampled_from([*field_names, "id", "status", "campaign", "email_key", "__proto__"]),
        st.text(max_size=12),
    )
    # Text more often than other types, so that some objects get past the schema.
    values = st.one_of(TEXT, JSON_VALUE)

    @hypothesis_settings(HOSTILE, max_examples=examples(4000))
    @given(body=st.dictionaries(keys, values, max_size=12))
    def post(body):
        response = client.post(sign_url, json.dumps(body), content_type="application/json")
        outcomes.append(assert_answered_properly(response, body))

    post()
    assert len(outcomes) >= examples(4000)
    assert "rejected" in outcomes


def test_one_hostile_value_in_otherwise_valid_details(client, sign_url, field_names):
    """Valid details with one field replaced by any JSON value, or left out."""
    outcomes = []

    @hypothesis_settings(HOSTILE, max_examples=examples(3500))
    @given(
        name=st.sampled_from(field_names),
        value=st.one_of(st.just(MISSING), JSON_TEXT, JSON_VALUE),
        n=st.integers(0, 10**9),
    )
    def post(name, value, n):
        body = valid_details(n) | {name: value}
        if value is MISSING:
            del body[name]
        response = client.post(sign_url, json.dumps(body), content_type="application/json")
        outcomes.append(assert_answered_properly(response, body))

    post()
    assert len(outcomes) >= examples(3500)
    assert {"accepted", "rejected"} <= set(outcomes)


def test_bodies_that_are_not_json_objects(client, sign_url):
    """Arrays, scalars, truncated or deeply nested JSON, bytes, other encodings and types."""
    outcomes = []
    content_types = st.sampled_from(
        [
            "application/json",
            "application/json; charset=latin-1",
            "application/json; charset=nonsense",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=xyz",
            "text/plain",
        ]
    )
    bodies = st.one_of(
        st.binary(max_size=2000),
        JSON_VALUE.map(lambda value: json.dumps(value).encode()),
        # Cut short, or nested past any parser's patience.
        st.builds(
            lambda n, cut: json.dumps(valid_details(n)).encode()[:cut],
            st.integers(0, 10**9),
            st.integers(0, 60),
        ),
        st.integers(1, 100_000).map(lambda depth: b"[" * depth + b"]" * depth),
        st.sampled_from([b"", b"{}", b"null", b"\xff\xfe{}", b'{"email": "\\ud800"}']),
    )

    @hypothesis_settings(HOSTILE, max_examples=examples(2500))
    @given(body=bodies, content_type=content_types)
    def post(body, content_type):
        response = client.generic("POST", sign_url, body, content_type=content_type)
        try:
            sent = json.loads(body)
        except (ValueError, RecursionError):
            sent = None
        outcomes.append(assert_answered_properly(response, sent))

    post()
    assert len(outcomes) >= examples(2500)
