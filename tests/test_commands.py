import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from wagtail.models import Site

from campaigns.models import CampaignPage
from signatures.models import Signature

pytestmark = pytest.mark.django_db


def test_load_demo_creates_one_published_campaign_and_is_idempotent(client):
    call_command("load_demo")
    call_command("load_demo")

    campaign = CampaignPage.objects.live().get()
    assert [target.email.endswith("@example.org") for target in campaign.targets] == [True, True]
    response = client.get(campaign.url)
    assert response.status_code == 200
    assert "Free the Lakeside Four" in response.content.decode()


def test_the_demo_campaign_can_be_signed(client):
    call_command("load_demo")
    campaign = CampaignPage.objects.get()
    response = client.post(
        f"/act/{campaign.pk}/",
        {"first_name": "Ana", "last_name": "Okonjo", "email": "ana@example.org"},
    )
    assert response.status_code == 302
    assert Signature.objects.filter(campaign=campaign).counted().count() == 1


@pytest.mark.parametrize(
    "address", ["127.0.0.1:8000", "http://127.0.0.1:8000", "http://127.0.0.1:8000/"]
)
def test_the_demo_site_makes_its_links_with_the_address_it_is_served_at(address):
    call_command("load_demo", address=address)

    assert Site.objects.get(is_default_site=True).root_url == "http://127.0.0.1:8000"


@pytest.mark.parametrize("address", ["127.0.0.1:port", "http://127.0.0.1:8000/act/", ":8000"])
def test_an_address_that_is_no_host_and_port_is_refused(address):
    with pytest.raises(CommandError, match="HOST:PORT"):
        call_command("load_demo", address=address)


def test_ensure_admin_prints_a_fresh_random_password(capsys):
    call_command("ensure_admin")
    first = capsys.readouterr().out.split("password: ")[1].strip()
    call_command("ensure_admin")
    second = capsys.readouterr().out.split("password: ")[1].strip()

    assert first != second and len(second) >= 16
    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser and user.check_password(second)
