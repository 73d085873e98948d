"""Property-based tests: the action form (POST /act/<id>/) under generated hostile input.

Across the tests below 10,000 generated inputs are posted: huge, empty, unicode, control
characters, markup, numbers and booleans where text is expected, missing fields, repeated
keys, and raw bodies that are not what the content type says. Whatever arrives, the answer
is never a 5xx; a rejection is the form again with a message that says what to correct; an
acceptance is a signature that really exists. The run is deterministic (derandomized) so CI
sees the same inputs every time. tests/hostile/test_api_properties.py does the same to the API.
"""

from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils.html import escape
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from signatures import views
from signatures.emails import email_key
from signatures.forms import SignatureForm
from signatures.models import Signature

from .strategies import CHARACTERS, HOSTILE, TEXT, examples

pytestmark = pytest.mark.django_db


@pytest.fixture
def form_url(campaign, unguarded, uninstrumented_templates):
    return reverse("signatures:sign", args=[campaign.pk])


@pytest.fixture(autouse=True)
def recorded_forms(monkeypatch):
    """Every SignatureForm the view builds, to read its errors after the response."""
    forms = []

    class RecordedForm(SignatureForm):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            forms.append(self)

    monkeypatch.setattr(views, "SignatureForm", RecordedForm)
    return forms


@pytest.fixture
def field_names(campaign):
    return list(SignatureForm(campaign=campaign).fields)


@pytest.fixture
def every_field_shown(campaign):
    campaign.phone_field = "optional"
    campaign.save(update_fields=["phone_field"])


@pytest.fixture
def valid_details(campaign):
    """Details the campaign accepts, with the n-th address."""
    details = {"first_name": "Ana", "last_name": "Okonjo"}
    for name, field in SignatureForm(campaign=campaign).fields.items():
        if field.required and name not in (*details, "email"):
            details[name] = {"country": "PT", "consent": "on"}.get(name, "12345")
    return lambda n: details | {"email": f"ana{n}@example.org"}


def post_form(client, url, data):
    """As a browser sends a form (urlencoded); repeated keys for lists of values."""
    return client.post(
        url, urlencode(data, doseq=True), content_type="application/x-www-form-urlencoded"
    )


def assert_answered_properly(response, form, posted_email=None):
    """No 5xx; a rejection shows the form with clear messages; an acceptance was recorded."""
    assert response.status_code < 500
    if response.status_code == 302:
        assert posted_email is not None
        assert Signature.objects.filter(email_key=email_key(posted_email)).exists()
        return "accepted"
    assert response.status_code in (400, 403, 429), response.status_code
    messages = [str(message) for errors in form.errors.values() for message in errors]
    assert messages, "a rejection without a message"
    page = response.content.decode()
    for message in messages:
        assert len(message) > 10
        assert escape(message) in page, message
    return "rejected"


def test_generated_field_values(
    client, campaign, every_field_shown, form_url, field_names, recorded_forms
):
    """Any mix of hostile values, missing fields, repeated keys and unknown keys."""
    outcomes = []
    keys = st.sampled_from([*field_names, "website", "started", "id", "status", "campaign"])
    data = st.dictionaries(keys, st.lists(TEXT, min_size=1, max_size=2), max_size=10)

    @hypothesis_settings(HOSTILE, max_examples=examples(3000))
    @given(data=data)
    def post(data):
        response = post_form(client, form_url, data)
        emails = data.get("email") or [None]
        outcomes.append(
            assert_answered_properly(
                response, recorded_forms[-1], emails[-1] and emails[-1].strip()
            )
        )

    post()
    assert len(outcomes) >= examples(3000)
    assert "rejected" in outcomes


def test_one_hostile_value_in_an_otherwise_valid_action(
    client, form_url, field_names, valid_details, recorded_forms
):
    """Valid details with one field replaced: each field's own validation is reached."""
    outcomes = []

    @hypothesis_settings(HOSTILE, max_examples=examples(4500))
    @given(name=st.sampled_from(field_names), value=TEXT, n=st.integers(0, 10**9))
    def post(name, value, n):
        data = valid_details(n) | {name: value}
        response = post_form(client, form_url, data)
        outcomes.append(
            assert_answered_properly(response, recorded_forms[-1], data["email"].strip())
        )

    post()
    assert len(outcomes) >= examples(4500)
    assert {"accepted", "rejected"} <= set(outcomes)


def test_raw_bodies_that_are_not_what_they_claim(client, campaign, form_url, recorded_forms):
    """Bytes of any kind under any content type: bad encodings, bad multipart, JSON."""
    outcomes = []
    content_types = st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "application/x-www-form-urlencoded; charset=latin-1",
            "application/x-www-form-urlencoded; charset=nonsense",
            "multipart/form-data; boundary=xyz",
            "multipart/form-data",
            "application/json",
            "text/plain",
        ]
    )
    bodies = st.one_of(
        st.binary(max_size=2000),
        st.dictionaries(st.text(CHARACTERS, max_size=12), TEXT, max_size=8).map(
            lambda d: urlencode(d).encode()
        ),
        st.sampled_from([b"%FF%FE=%00", b"email=%C0%AF", b"=&=&&==", b"a" * 100_000, b"{}"]),
    )

    @hypothesis_settings(HOSTILE, max_examples=examples(2500))
    @given(body=bodies, content_type=content_types)
    def post(body, content_type):
        recorded_forms.clear()
        response = client.generic("POST", form_url, body, content_type=content_type)
        assert response.status_code < 500
        if not recorded_forms:
            # Django refused the body before the form (bad multipart, not UTF-8): our 400 page.
            assert response.status_code == 400
            assert "Your request could not be read" in response.content.decode()
            outcomes.append("unreadable")
        else:
            outcomes.append(assert_answered_properly(response, recorded_forms[-1]))

    post()
    assert len(outcomes) >= examples(2500)
