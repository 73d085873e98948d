"""No public answer of the API carries anything personal: supporters' or targets' details."""

import pytest

from signatures.models import Signature
from tests.factories import CampaignPageFactory, TargetFactory

pytestmark = pytest.mark.django_db

SUPPORTER = {
    "first_name": "Zephyrine",
    "last_name": "Quillfeather",
    "email": "zephyrine.quill@private.example",
    "postal_code": "9999-777",
    "phone": "+351 912 888 777",
    "personal_note": "secret note 4711",
}
SECRETS = [*SUPPORTER.values(), "minister.private@gov.example", "203.0.113.77"]


def test_no_personal_data_in_any_public_response(client, site):
    target = TargetFactory(name="Minister of Water", email="minister.private@gov.example")
    campaign = CampaignPageFactory(parent=site.root_page, targets=[target], phone_field="optional")
    signed = client.post(
        f"/api/v3/campaigns/{campaign.pk}/signatures/",
        SUPPORTER,
        content_type="application/json",
        REMOTE_ADDR="203.0.113.77",
    )
    repeat = client.post(
        f"/api/v3/campaigns/{campaign.pk}/signatures/",
        SUPPORTER,
        content_type="application/json",
        REMOTE_ADDR="203.0.113.77",
    )
    invalid = client.post(
        f"/api/v3/campaigns/{campaign.pk}/signatures/",
        SUPPORTER | {"email": "zephyrine.quill@private"},
        content_type="application/json",
    )
    assert Signature.objects.filter(email=SUPPORTER["email"]).exists()

    answers = [signed, repeat, invalid] + [
        client.get(path)
        for path in (
            "/api/v3/campaigns/",
            f"/api/v3/campaigns/{campaign.pk}/",
            f"/api/v3/campaigns/{campaign.pk}/counter/",
            f"/api/v3/pages/{campaign.pk}/",
            "/api/v3/pages/",
            "/api/v3/openapi.json",
        )
    ]
    assert [answer.status_code for answer in answers[:3]] == [202, 202, 422]
    for answer in answers:
        text = answer.content.decode()
        for secret in SECRETS:
            assert secret not in text, (answer.request["PATH_INFO"], secret)
        for header, value in answer.items():
            assert not any(secret in value for secret in SECRETS), header
