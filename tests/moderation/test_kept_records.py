"""Deleting a signed campaign or a target written to is refused with the reason, not a 500."""

import pytest
from django.contrib.messages import get_messages
from wagtail.models import Page

from campaigns.models import Target
from signatures.models import Delivery, Signature
from tests.factories import CampaignPageFactory, TargetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(site):
    target = TargetFactory()
    campaign = CampaignPageFactory(parent=site.root_page, title="Water", targets=[target])
    signature = Signature.objects.create(
        campaign=campaign, first_name="Ana", last_name="Okonjo", email="ana@example.org"
    )
    Delivery.objects.create(signature=signature, target=target)
    return campaign, target


def refusal(response) -> str:
    """The error the admin shows after redirecting away from the deletion."""
    assert response.status_code == 302
    return " ".join(
        str(message)
        for message in get_messages(response.wsgi_request)
        if message.level_tag == "error"
    )


def test_a_signed_campaign_is_not_deleted(admin_client, signed):
    campaign, _ = signed

    response = admin_client.post(f"/admin/pages/{campaign.pk}/delete/")

    assert "1 signature belongs to it" in refusal(response)
    assert response["Location"] == f"/admin/pages/{campaign.get_parent().pk}/"
    assert Page.objects.filter(pk=campaign.pk).exists()
    assert "cannot be deleted" in refusal(admin_client.get(f"/admin/pages/{campaign.pk}/delete/"))


def test_nor_in_bulk_with_unsigned_pages(admin_client, site, signed):
    campaign, _ = signed
    section = CampaignPageFactory(parent=site.root_page, title="Unsigned")

    response = admin_client.post(
        f"/admin/bulk/wagtailcore/page/delete/?id={campaign.pk}&id={section.pk}"
    )

    assert "1 signature belongs to it" in refusal(response)
    assert Page.objects.filter(pk__in=[campaign.pk, section.pk]).count() == 2
    assert Signature.objects.count() == 1


def test_an_unsigned_campaign_is_deleted(admin_client, site):
    campaign = CampaignPageFactory(parent=site.root_page)

    admin_client.post(f"/admin/pages/{campaign.pk}/delete/")

    assert not Page.objects.filter(pk=campaign.pk).exists()


def test_a_target_written_to_is_not_deleted(admin_client, signed):
    _, target = signed
    delete_url = f"/admin/snippets/campaigns/target/delete/{target.pk}/"

    response = admin_client.post(delete_url)

    assert "1 letter to this target is on record" in refusal(response)
    assert Target.objects.filter(pk=target.pk).exists()
    response = admin_client.post(f"/admin/bulk/campaigns/target/delete/?id={target.pk}")
    assert "on record" in refusal(response)
    assert Target.objects.filter(pk=target.pk).exists()


def test_a_target_never_written_to_is_deleted(admin_client):
    target = TargetFactory()

    admin_client.post(f"/admin/snippets/campaigns/target/delete/{target.pk}/")

    assert not Target.objects.filter(pk=target.pk).exists()
