"""The thank-you page naming the supporter's representatives (signatures/thank_you.py): a page
rendered once per process and filled in for each action, so it must say to each supporter
whom their own letter goes to, in the campaign's language, and nobody else's."""

import pytest
from django.urls import reverse
from wagtail.models import PageViewRestriction

from signatures.caching import live_campaigns
from signatures.models import Signature
from tests.factories import translate
from tests.signatures.test_representatives import DETAILS

pytestmark = pytest.mark.django_db


@pytest.fixture
def kept(settings):
    """Live campaigns (and their thank-you pages) kept in the process, as in production."""
    settings.CLARION_CAMPAIGN_CACHE_SECONDS = 60
    live_campaigns.forget()
    yield
    live_campaigns.forget()


@pytest.fixture
def to_representative(site, directory):
    from tests.factories import representative_campaign

    return representative_campaign(site.root_page, directory)


def act(client, campaign, postal_code, email):
    return client.post(
        reverse("signatures:sign", args=[campaign.pk]),
        DETAILS | {"postal_code": postal_code, "email": email},
    )


def test_each_supporter_sees_their_own_representative_on_a_kept_page(
    client, kept, to_representative, settings
):
    ottawa = act(client, to_representative, "K1A 0A6", "ana@example.org").content.decode()
    toronto = act(client, to_representative, "M5V 2T6", "bo@example.org")
    settings.CLARION_REPRESENTATIVE_LOOKUP = "tests.signatures.test_representatives.DownLookup"
    unknown = act(client, to_representative, "K1A 0A6", "cy@example.org").content.decode()

    assert "Ms <strong>Bea Ottawa</strong> (Ottawa Centre)" in ottawa
    assert "Cy Toronto" not in ottawa
    assert toronto.status_code == 200 and toronto["Cache-Control"] == "private, no-store"
    assert "Mr <strong>Cy Toronto</strong> (Spadina)" in toronto.content.decode()
    assert "Bea Ottawa" not in toronto.content.decode()
    assert "as soon as we have found them" in unknown
    assert "Bea Ottawa" not in unknown and "Cy Toronto" not in unknown
    # One page served all three: kept with the live campaign, nobody's names in it.
    [shell] = live_campaigns.live_campaign(to_representative.pk).thank_you_shells.values()
    before, after, _type = shell
    assert b"Thank you for taking action" in before
    assert b"Bea Ottawa" not in before + after and b"Cy Toronto" not in before + after
    assert Signature.objects.count() == 3


def test_the_page_names_the_representative_in_french(client, kept, to_representative):
    french = translate(to_representative, "fr")

    english = act(client, to_representative, "K1A 0A6", "ana@example.org").content.decode()
    html = act(client, french, "K1A 0A6", "bo@example.org").content.decode()

    assert "Your letter goes to your representative:" in english
    assert '<html lang="fr"' in html
    assert "Votre lettre est adressée à votre député·e" in html
    assert "Merci pour votre action" in html and "Ms <strong>Bea Ottawa</strong>" in html
    assert "Your letter goes" not in html and "Thank you for taking action" not in html


def test_a_password_protected_campaign_still_lets_only_those_let_in_act(
    client, kept, to_representative
):
    restriction = PageViewRestriction.objects.create(
        page=to_representative, restriction_type=PageViewRestriction.PASSWORD, password="s3cret"
    )
    live_campaigns.forget()

    refused = act(client, to_representative, "K1A 0A6", "ana@example.org")
    assert (refused.status_code, refused["Location"]) == (303, to_representative.url)
    assert "Bea Ottawa" not in refused.content.decode()
    assert not Signature.objects.exists()

    client.post(
        reverse(
            "wagtailcore_authenticate_with_password", args=[restriction.pk, to_representative.pk]
        ),
        {"password": "s3cret", "return_url": to_representative.url},
    )
    taken = act(client, to_representative, "K1A 0A6", "ana@example.org")
    assert taken.status_code == 200
    assert "Ms <strong>Bea Ottawa</strong>" in taken.content.decode()
    assert Signature.objects.count() == 1
    # Rendered for a visitor let in: not kept for the next one.
    assert live_campaigns.live_campaign(to_representative.pk).thank_you_shells == {}
