"""Property-based: the postal code on a campaign that writes to representatives, under
generated hostile input, through the form and the lookup route. Never a 5xx; a code is
either taken (and names a representative) or refused on its field."""

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from signatures.models import Signature
from tests.factories import DirectoryFactory, representative, representative_campaign

from .strategies import CHARACTERS, HOSTILE, TEXT, examples

pytestmark = pytest.mark.django_db

CODES = st.one_of(
    TEXT,
    st.text(CHARACTERS, max_size=30),
    st.builds("{}{}".format, st.sampled_from(["K1A", "k1a ", "K 1 A", "k1a-"]), TEXT),
)


@pytest.fixture
def to_representative(site, unguarded, uninstrumented_templates):
    directory = DirectoryFactory()
    representative(directory, "Bea Ottawa", ["K1A"])
    return representative_campaign(site.root_page, directory)


def test_the_form_takes_or_refuses_any_postal_code_on_its_field(client, to_representative):
    url = reverse("signatures:sign", args=[to_representative.pk])
    taken = iter(range(10**6))

    @given(code=CODES)
    @hypothesis_settings(HOSTILE, max_examples=examples(150))
    def post(code):
        n = next(taken)
        details = {"first_name": "Ana", "last_name": "O", "email": f"a{n}@example.org"}
        response = client.post(url, details | {"postal_code": code})
        assert response.status_code in (200, 400), response.status_code
        html = response.content.decode()
        stored = Signature.objects.filter(email=details["email"]).exists()
        if response.status_code == 200:
            assert "Bea Ottawa" in html and stored
        else:
            assert 'id="id_postal_code_error"' in html and not stored

    post()


def test_the_lookup_route_answers_any_postal_code_without_a_server_error(client, to_representative):
    url = f"/api/v3/campaigns/{to_representative.pk}/targets/"

    @given(code=CODES)
    @hypothesis_settings(HOSTILE, max_examples=examples(150))
    def ask(code):
        response = client.get(url, {"postal_code": code})
        assert response.status_code in (200, 422), response.status_code
        if response.status_code == 200:
            assert response.json()["representatives"][0]["name"] == "Bea Ottawa"

    ask()
