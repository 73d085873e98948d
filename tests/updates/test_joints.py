"""Updates across the rest of Clarion: supporters who acted through the form, the API (and
so the embed) hear back alike; the consent checkbox says what they agree to."""

import json

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from campaigns.models import CampaignPage
from signatures.models import Signature
from tests.factories import translate

from .conftest import committed, mailed_to, publish_update

pytestmark = pytest.mark.django_db

DETAILS = {"first_name": "Ana", "last_name": "Okonjo", "email": "ana@example.org"}


def test_form_and_api_signers_who_agreed_hear_back(client, campaign):
    with committed():
        client.post(reverse("signatures:sign", args=[campaign.pk]), DETAILS | {"consent": "on"})
        client.post(
            f"/api/v3/campaigns/{campaign.pk}/signatures/",
            json.dumps(DETAILS | {"email": "bo@example.org", "consent": True}),
            content_type="application/json",
        )
        client.post(
            f"/api/v3/campaigns/{campaign.pk}/signatures/",
            json.dumps(DETAILS | {"email": "cy@example.org", "consent": False}),
            content_type="application/json",
        )
    assert Signature.objects.count() == 3
    mail.outbox.clear()  # the receipts

    publish_update(campaign)

    assert mailed_to() == ["ana@example.org", "bo@example.org"]


def test_the_consent_checkbox_says_updates_come_and_how_to_stop_them(campaign):
    field = CampaignPage._meta.get_field("consent_text")
    assert "news of this campaign" in str(field.default)
    assert "one click unsubscribes" in str(field.default)
    with translation.override("fr"):
        assert "un clic suffit pour se désabonner" in str(field.default)


def test_a_french_signer_through_the_api_hears_in_french(client, campaign):
    french = translate(campaign, "fr", title="Libérez-les")
    with committed():
        client.post(
            f"/api/v3/campaigns/{french.pk}/signatures/",
            json.dumps(DETAILS | {"consent": True}),
            content_type="application/json",
        )
    mail.outbox.clear()
    publish_update(campaign)
    assert "Bonjour Ana," in mail.outbox[0].body
