import pytest
from django.contrib.auth import get_user_model

from signatures.services import signing
from tests.factories import SUPPORTER, CampaignPageFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/signatures/signature/"


@pytest.fixture
def admin_client(client, site):
    user = get_user_model().objects.create_superuser("boss", "boss@example.org", "pw")
    client.force_login(user)
    return client


@pytest.fixture
def two_campaigns(site):
    water = CampaignPageFactory(parent=site.root_page, title="Water")
    press = CampaignPageFactory(parent=site.root_page, title="Press")
    signing.record_signature(water, SUPPORTER)
    signing.record_signature(
        press, {"first_name": "Bo", "last_name": "Lind", "email": "bo@example.org"}
    )
    return water, press


def test_the_admin_lists_signatures(admin_client, two_campaigns):
    html = admin_client.get(LIST_URL).content.decode()
    assert "ana@example.org" in html and "bo@example.org" in html


def test_the_admin_filters_by_campaign(admin_client, two_campaigns):
    water, _ = two_campaigns
    html = admin_client.get(LIST_URL, {"campaign__page_ptr__exact": water.pk}).content.decode()
    assert "ana@example.org" in html and "bo@example.org" not in html


@pytest.mark.parametrize("query", ["Lind", "bo@example"])
def test_the_admin_searches_names_and_emails(admin_client, two_campaigns, query):
    html = admin_client.post(LIST_URL, {"q": query}, follow=True).content.decode()
    assert "bo@example.org" in html and "ana@example.org" not in html


def test_nobody_adds_signatures_in_the_admin(admin_client, two_campaigns):
    response = admin_client.get(LIST_URL + "create/")
    assert response.status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, two_campaigns):
    response = client.get(LIST_URL)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
