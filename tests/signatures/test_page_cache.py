"""Campaign pages from the shared cache: public, no per-user token, a fresh counter."""

import re
import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageViewRestriction

from cms.base.models import OrganisationSettings
from signatures import counter
from tests.factories import SUPPORTER as VALID
from tests.factories import CampaignPageFactory, TargetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def page_cache(settings):
    settings.CLARION_PAGE_CACHE_SECONDS = 60
    settings.CLARION_PAGE_SHARED_MAX_AGE = 1


@pytest.fixture
def cached_campaign(site, page_cache):
    return CampaignPageFactory(parent=site.root_page, counter_offset=41)


def visit(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200
    return response


def test_anonymous_visits_are_served_from_the_cache(client, cached_campaign):
    first, second, third = (visit(client, cached_campaign.url) for _ in range(3))

    assert [first["X-Clarion-Cache"], second["X-Clarion-Cache"], third["X-Clarion-Cache"]] == [
        "miss",
        "miss",  # the first visit learns which campaign the page shows; the second its count
        "hit",
    ]
    assert third.content == second.content
    for response in (first, third):
        assert "public" in response["Cache-Control"]
        assert "s-maxage=1" in response["Cache-Control"]
        assert not response.cookies
    html = third.content.decode()
    assert "csrfmiddlewaretoken" not in html
    assert 'name="started"' in html


def test_the_cached_page_shows_a_fresh_count_and_its_form_works(client, cached_campaign):
    for _ in range(3):
        visit(client, cached_campaign.url)

    signed = client.post(reverse("signatures:sign", args=[cached_campaign.pk]), VALID)
    assert signed.status_code == 302

    after = visit(client, cached_campaign.url)
    assert after["X-Clarion-Cache"] == "miss"  # the count moved on: rendered again
    assert "<strong>42</strong>" in after.content.decode()
    assert visit(client, cached_campaign.url)["X-Clarion-Cache"] == "hit"


def test_the_copy_follows_the_counter_after_moderation(client, cached_campaign):
    from signatures.models import Signature
    from signatures.services import signing

    signing.record_signature(cached_campaign, VALID)
    for _ in range(3):
        visit(client, cached_campaign.url)
    Signature.objects.update(status=Signature.Status.REJECTED)
    counter.changed(cached_campaign.pk)
    assert "<strong>41</strong>" in visit(client, cached_campaign.url).content.decode()


def test_publishing_drops_cached_copies(client, cached_campaign):
    for _ in range(3):
        visit(client, cached_campaign.url)
    cached_campaign.lead = "A new lead for the campaign."
    cached_campaign.save_revision().publish()

    response = visit(client, cached_campaign.url)
    assert response["X-Clarion-Cache"] == "miss"
    assert "A new lead for the campaign." in response.content.decode()


def test_saving_the_organisation_or_a_target_drops_cached_copies(client, site, page_cache):
    target = TargetFactory(name="Minister of Water")
    campaign = CampaignPageFactory(parent=site.root_page, targets=[target])
    visit(client, campaign.url), visit(client, campaign.url)

    organisation = OrganisationSettings.for_site(site)
    organisation.name = "Lakeside Watch"
    organisation.save()
    assert "Lakeside Watch" in visit(client, campaign.url).content.decode()

    visit(client, campaign.url)
    target.name = "Minister of Clean Water"
    target.save()
    assert "Minister of Clean Water" in visit(client, campaign.url).content.decode()


def test_a_copy_is_not_served_past_the_moment_the_campaign_closes(
    client, site, page_cache, settings
):
    settings.CLARION_PAGE_SHARED_MAX_AGE = 60
    closes_at = timezone.now() + timedelta(seconds=3)
    campaign = CampaignPageFactory(
        parent=site.root_page, closes_at=closes_at, closed_message="This campaign has ended."
    )
    visits = [visit(client, campaign.url) for _ in range(3)]
    assert visits[-1]["X-Clarion-Cache"] == "hit"
    shared = int(re.search(r"s-maxage=(\d+)", visits[-1]["Cache-Control"])[1])
    assert shared <= 3  # proxies in front may not keep it longer either

    time.sleep(max(0, (closes_at - timezone.now()).total_seconds()) + 0.1)
    after = visit(client, campaign.url)

    assert after["X-Clarion-Cache"] == "miss"
    assert "This campaign has ended." in after.content.decode()
    assert 'name="started"' not in after.content.decode()


def test_unpublished_pages_are_not_served_from_the_cache(client, cached_campaign):
    for _ in range(3):
        visit(client, cached_campaign.url)
    cached_campaign.unpublish()
    assert client.get(cached_campaign.url).status_code == 404


def test_editors_and_query_strings_bypass_the_cache(client, cached_campaign, admin_user):
    for _ in range(3):
        visit(client, cached_campaign.url)
    assert "X-Clarion-Cache" not in visit(client, cached_campaign.url + "?utm=x")
    client.force_login(admin_user)
    assert "X-Clarion-Cache" not in visit(client, cached_campaign.url)


SHARED_LINK = "?utm_source=facebook&utm_medium=share&utm_campaign=lakeside&fbclid=IwAR0x9"


def test_a_shared_link_is_served_the_cached_copy_and_counted_by_its_tags(client, cached_campaign):
    from insights import page_views

    warm(client, cached_campaign.url)
    shared = visit(client, cached_campaign.url + SHARED_LINK)
    clicked = visit(client, cached_campaign.url + "?gclid=abc&utm_source=search")

    assert shared["X-Clarion-Cache"] == clicked["X-Clarion-Cache"] == "hit"
    html = shared.content.decode()
    assert 'name="utm_source" value="facebook"' in html  # the form carries this visit's tags
    assert 'name="utm_campaign" value="lakeside"' in html
    assert "fbclid" not in html and "IwAR0x9" not in html
    assert 'name="utm_source" value=""' in visit(client, cached_campaign.url).content.decode()
    views = {
        (dimension, value): n
        for (_campaign, _day, dimension, value), n in page_views.pending(cached_campaign.pk).items()
    }
    assert views[("source", "facebook / share")] == 1
    assert views[("source", "search")] == 1
    assert views[("utm_campaign", "lakeside")] == 1


@pytest.mark.postgres
@pytest.mark.redis
def test_shared_links_served_from_the_cache_count_by_source_in_the_statistics(
    redis_cache, client, cached_campaign
):
    """On PostgreSQL and the Redis cache, as in production: the visits through shared links
    are cache hits, and once the views are flushed the statistics' sources count them."""
    from insights import page_views
    from reporting.figures import campaign_figures

    warm(client, cached_campaign.url)
    hits = [
        visit(client, f"{cached_campaign.url}{SHARED_LINK}{n}")["X-Clarion-Cache"] for n in range(4)
    ]
    hits.append(
        visit(client, cached_campaign.url + "?gclid=abc&utm_source=search")["X-Clarion-Cache"]
    )
    assert hits == ["hit"] * 5

    page_views.flush()
    figures = campaign_figures(cached_campaign)
    views = {row.value: row.views for row in figures.breakdowns["source"]}
    assert (views["facebook / share"], views["search"]) == (4, 1)
    assert [(row.value, row.views) for row in figures.breakdowns["shares"]] == [("facebook", 4)]
    assert figures.pending_views == 0  # all of it from the database


def test_a_shared_links_first_visit_makes_the_copy_everyone_is_served(client, cached_campaign):
    first = visit(client, cached_campaign.url + SHARED_LINK)
    visit(client, cached_campaign.url + SHARED_LINK)
    plain = visit(client, cached_campaign.url)

    assert (first["X-Clarion-Cache"], plain["X-Clarion-Cache"]) == ("miss", "hit")
    html = plain.content.decode()
    assert 'name="utm_source" value=""' in html and 'name="utm_campaign" value=""' in html
    assert "IwAR0x9" not in html and "lakeside" not in html


@pytest.mark.parametrize("query", ["?utm_source=x&page=2", "?postal_code=K1A0A6", "?UTM_SOURCE=x"])
def test_any_other_query_is_rendered_and_never_kept(client, cached_campaign, query):
    warm(client, cached_campaign.url)
    for _ in range(3):
        assert "X-Clarion-Cache" not in visit(client, cached_campaign.url + query)


def test_the_cache_can_be_switched_off(client, cached_campaign, settings):
    settings.CLARION_PAGE_CACHE_SECONDS = 0
    for _ in range(3):
        response = visit(client, cached_campaign.url)
    assert "X-Clarion-Cache" not in response


def test_the_thank_you_page_is_cached_too(client, cached_campaign):
    url = cached_campaign.url + "thank-you/"
    assert [visit(client, url)["X-Clarion-Cache"] for _ in range(3)] == ["miss", "miss", "hit"]


def warm(client, url):
    assert [visit(client, url)["X-Clarion-Cache"] for _ in range(3)][-1] == "hit"


@pytest.mark.postgres
@pytest.mark.parametrize("on", ["campaign", "its index"])
@pytest.mark.parametrize(
    "restriction",
    [{"restriction_type": "password", "password": "open sesame"}, {"restriction_type": "login"}],
    ids=["password", "login"],
)
def test_a_restriction_purges_the_cached_copies_of_the_pages_it_covers(
    client, admin_client, cached_campaign, restriction, on
):
    pages = [cached_campaign.url, cached_campaign.url + "thank-you/"]
    for url in pages:
        warm(client, url)
    restricted = cached_campaign if on == "campaign" else cached_campaign.get_parent()

    # As an admin sets it, in the page's Privacy dialog.
    admin_client.post(reverse("wagtailadmin_pages:set_privacy", args=[restricted.pk]), restriction)

    assert PageViewRestriction.objects.filter(page=restricted).exists()
    for url in pages:
        for _ in range(3):  # nor is the restricted page kept again
            response = client.get(url)
            assert "X-Clarion-Cache" not in response
            assert cached_campaign.ask not in response.content.decode()
            assert response.status_code in (200, 302)  # the password form, or the login


def test_the_page_has_one_copy_whatever_the_host_header_says(client, cached_campaign):
    warm(client, cached_campaign.url)

    for host in ("TESTSERVER", "testserver:80", "TestServer:8080"):
        response = visit(client, cached_campaign.url, HTTP_HOST=host)
        assert response["X-Clarion-Cache"] == "hit", host


def test_other_spellings_of_an_address_are_left_to_wagtail_and_kept_nowhere(
    client, cached_campaign
):
    warm(client, cached_campaign.url)
    for path in (
        "/" + cached_campaign.url,
        "//" + cached_campaign.url,
        cached_campaign.url.replace("/campaign-", "//campaign-"),
        cached_campaign.url.rstrip("/"),
    ):
        for _ in range(3):
            response = client.request(PATH_INFO=path, REQUEST_METHOD="GET")
            assert "X-Clarion-Cache" not in response, path
            assert response.status_code in (301, 404), path  # as Wagtail answers them
