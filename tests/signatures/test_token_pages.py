"""No third-party script runs where the address carries a token (issue 15, finding 10).

A script on the confirmation page could read the token from the address bar and confirm
the action, or send the link elsewhere, for as long as the link works.
"""

import pytest
from django.urls import reverse

from cms.base.models import OrganisationSettings
from signatures.models import Signature
from signatures.services import confirmation
from tests.factories import CampaignPageFactory

pytestmark = pytest.mark.django_db

SITE_HEAD = '<script src="https://tags.example/site-head.js"></script>'
SITE_BODY = '<script src="https://tags.example/site-body.js"></script>'
PAGE_HEAD = '<script src="https://tags.example/page-head.js"></script>'
PAGE_BODY = '<script src="https://tags.example/page-body.js"></script>'
EVERY_SCRIPT = (SITE_HEAD, SITE_BODY, PAGE_HEAD, PAGE_BODY)


@pytest.fixture
def scripted_campaign(site):
    organisation = OrganisationSettings.for_site(site)
    organisation.head_scripts, organisation.body_scripts = SITE_HEAD, SITE_BODY
    organisation.save()
    return CampaignPageFactory(
        parent=site.root_page,
        confirmation_required=True,
        head_scripts=PAGE_HEAD,
        body_scripts=PAGE_BODY,
    )


@pytest.fixture
def confirm_url(scripted_campaign):
    signature = Signature.objects.create(
        campaign=scripted_campaign, email="ana@example.org", status=Signature.Status.PENDING
    )
    return reverse("signatures:confirm", args=[confirmation.token_for(signature)])


def html_of(response) -> str:
    assert response.status_code < 500
    return response.content.decode()


def test_the_campaign_page_itself_runs_every_script(client, scripted_campaign):
    html = html_of(client.get(scripted_campaign.url))
    for script in EVERY_SCRIPT:
        assert script in html


def test_the_confirmation_page_runs_no_third_party_script(client, confirm_url):
    asked = html_of(client.get(confirm_url))
    assert "Confirm my action" in asked
    confirmed = html_of(client.post(confirm_url))
    assert "your action is confirmed" in confirmed
    refused = html_of(client.get(confirm_url.replace("/confirm/", "/confirm/x")))
    for html in (asked, confirmed, refused):
        assert "tags.example" not in html


def test_no_page_whose_address_carries_a_token_runs_third_party_scripts(client, scripted_campaign):
    html = html_of(client.get(f"{scripted_campaign.url}?token=a-secret"))
    assert "tags.example" not in html
