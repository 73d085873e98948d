"""A campaign behind a password or a login is listed nowhere in public (issue 15, finding 6):
not its title, its lead nor its count."""

import pytest
from wagtail.models import PageViewRestriction

from tests.factories import CampaignPageFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def campaigns(site):
    public = CampaignPageFactory(
        parent=site.root_page, title="Free the water defenders", lead="Public lead."
    )
    hidden = {
        restriction_type: CampaignPageFactory(
            parent=site.root_page,
            title=f"Secret campaign {n}",
            lead=f"Private lead {n}.",
            counter_offset=7_770 + n,
        )
        for n, restriction_type in enumerate(
            [PageViewRestriction.PASSWORD, PageViewRestriction.LOGIN]
        )
    }
    for restriction_type, campaign in hidden.items():
        PageViewRestriction.objects.create(
            page=campaign, restriction_type=restriction_type, password="open sesame"
        )
    return public, list(hidden.values())


def leaked(text, private):
    return [
        part
        for campaign in private
        for part in (campaign.title, campaign.lead, f"{campaign.counter_offset:,}")
        if part in text
    ]


def test_the_campaign_index_lists_only_public_campaigns(client, campaigns):
    public, private = campaigns
    index = public.get_parent()

    html = client.get(index.url).content.decode()

    assert public.title in html and public.lead in html
    assert leaked(html, private) == []


def test_the_home_page_and_the_apis_list_only_public_campaigns(client, site, campaigns):
    public, private = campaigns
    home = client.get(site.root_page.url).content.decode()
    listed = client.get("/api/v3/campaigns/").content.decode()
    pages = client.get("/api/v3/pages/?limit=20").content.decode()

    assert public.title in listed and public.title in pages
    assert leaked(home + listed + pages, private) == []
    for campaign in private:
        assert client.get(f"/api/v3/campaigns/{campaign.pk}/").status_code == 404
