"""Open and close dates: a closed campaign keeps its story and final count but takes no action."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from signatures.abuse import ActionRefused
from signatures.models import Signature
from signatures.services import signing
from tests.factories import SUPPORTER as DETAILS
from tests.factories import CampaignPageFactory

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


@pytest.fixture
def closed(site):
    return CampaignPageFactory(
        parent=site.root_page,
        closes_at=timezone.now() - HOUR,
        counter_offset=785,
        closed_message="This campaign closed on 1 May. Thank you!",
        body=[("paragraph", "<p>The story so far.</p>")],
    )


def test_a_closed_campaign_shows_its_story_final_count_and_why_but_no_form(client, closed):
    response = client.get(closed.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "The story so far." in html
    assert "<strong>785</strong> people took action" in html
    assert "Goal: 1,000" in html and "Help us reach" not in html  # no call to help
    assert "This campaign is closed" in html
    assert "This campaign closed on 1 May. Thank you!" in html
    assert "<form" not in html and 'name="email"' not in html


def test_a_closed_campaign_refuses_actions_with_403_and_its_message(client, closed):
    response = client.post(reverse("signatures:sign", args=[closed.pk]), DETAILS)

    assert response.status_code == 403
    assert "This campaign closed on 1 May. Thank you!" in response.content.decode()
    assert not Signature.objects.exists()


def test_the_sign_service_refuses_for_every_caller(closed):
    with pytest.raises(ActionRefused) as refused:
        signing.record_signature(closed, DETAILS)
    assert (refused.value.status, refused.value.message) == (
        403,
        "This campaign closed on 1 May. Thank you!",
    )
    assert not Signature.objects.exists()


def test_a_campaign_not_open_yet_refuses_actions(client, site):
    campaign = CampaignPageFactory(
        parent=site.root_page, opens_at=timezone.now() + HOUR, counter_offset=12
    )

    html = client.get(campaign.url).content.decode()
    assert "Not open yet" in html and 'name="email"' not in html
    assert "<strong>12</strong> people have taken action" in html  # not "took": it has not begun
    assert "Help us reach" not in html
    response = client.post(reverse("signatures:sign", args=[campaign.pk]), DETAILS)
    assert response.status_code == 403
    assert not Signature.objects.exists()


def test_between_the_dates_the_campaign_takes_actions(client, site):
    campaign = CampaignPageFactory(
        parent=site.root_page, opens_at=timezone.now() - HOUR, closes_at=timezone.now() + HOUR
    )
    assert campaign.is_open()
    assert 'name="email"' in client.get(campaign.url).content.decode()
    assert client.post(reverse("signatures:sign", args=[campaign.pk]), DETAILS).status_code == 302
    assert Signature.objects.count() == 1


def test_the_close_date_is_the_moment_it_closes(site):
    at = timezone.now()
    campaign = CampaignPageFactory(parent=site.root_page, closes_at=at)
    assert campaign.is_open(at - timedelta(microseconds=1))
    assert not campaign.is_open(at)


def test_a_campaign_cannot_close_before_it_opens(site):
    from django.core.exceptions import ValidationError

    campaign = CampaignPageFactory(parent=site.root_page)
    campaign.opens_at = timezone.now()
    campaign.closes_at = campaign.opens_at - HOUR
    with pytest.raises(ValidationError) as error:
        campaign.full_clean()
    assert "The campaign must close after it opens." in error.value.message_dict["closes_at"]


def test_a_campaign_address_of_digits_only_is_refused(site):
    campaign = CampaignPageFactory(parent=site.root_page)
    campaign.slug = "2024"
    with pytest.raises(ValidationError) as refused:
        campaign.full_clean()
    assert "one made of digits only is taken" in str(refused.value.message_dict["slug"])
