"""A CDN in front is purged of a campaign's pages whenever what they show changes; tested
against a fake purge server on loopback (a Varnish-style HTTP PURGE endpoint)."""

import http.server
import threading

import pytest
from wagtail.models import Locale, PageViewRestriction

from bench.servers import free_port
from cms.base.models import OrganisationSettings
from tests.factories import CampaignPageFactory, TargetFactory
from tests.ops.processes import run_django

pytestmark = pytest.mark.django_db


class PurgeServer:
    """Records each PURGE it receives as (Host, path)."""

    def __init__(self):
        purged = self.purged = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_PURGE(self):
                purged.append((self.headers["Host"], self.path))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.location = f"http://127.0.0.1:{self.server.server_port}"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def take(self) -> set[str]:
        """The paths purged since the last call."""
        paths = {path for host, path in self.purged}
        assert {host for host, path in self.purged} <= {"testserver"}
        self.purged.clear()
        return paths


@pytest.fixture
def cdn(settings):
    with PurgeServer() as server:
        settings.WAGTAILFRONTENDCACHE = {
            "default": {
                "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
                "LOCATION": server.location,
            }
        }
        yield server


def pages_of(campaign) -> set[str]:
    """What a change to the campaign purges. Addresses carry the language, and Wagtail
    purges a page's address under every language's prefix (a proxy may keep any of them:
    /es/… of a page with no Spanish translation answers 404, which proxies keep too)."""
    from django.conf import settings

    paths = {f"/api/v3/campaigns/{campaign.pk}/"}
    for language, _name in settings.WAGTAIL_CONTENT_LANGUAGES:
        paths |= {
            f"/{language}/campaigns/{campaign.slug}/",
            f"/{language}/campaigns/{campaign.slug}/thank-you/",
            f"/{language}/campaigns/",  # the list, with each campaign's counter
        }
    return paths


def test_publishing_and_unpublishing_purge_the_campaigns_pages(cdn, site):
    campaign = CampaignPageFactory(parent=site.root_page, slug="clean-water")
    assert cdn.take() == pages_of(campaign)  # published by the factory

    campaign.title = "Clean water now"
    campaign.save_revision().publish()
    assert cdn.take() == pages_of(campaign)

    campaign.unpublish()
    assert cdn.take() == pages_of(campaign)


def test_every_translation_is_purged(cdn, settings, site):
    settings.WAGTAIL_I18N_ENABLED = True
    settings.WAGTAIL_CONTENT_LANGUAGES = [("en", "English"), ("fr", "French")]
    campaign = CampaignPageFactory(parent=site.root_page, slug="clean-water")
    french = Locale.objects.create(language_code="fr")
    translation = campaign.copy_for_translation(french, copy_parents=True)
    cdn.take()

    campaign.save_revision().publish()

    purged = cdn.take()
    assert pages_of(campaign) <= purged
    assert f"/api/v3/campaigns/{translation.pk}/" in purged


def test_a_targets_answer_purges_its_campaign_in_every_language(cdn, settings, site):
    from signatures.models import TargetReply

    settings.WAGTAIL_I18N_ENABLED = True
    settings.WAGTAIL_CONTENT_LANGUAGES = [("en", "English"), ("fr", "French")]
    minister = TargetFactory(name="Minister of Water")
    campaign = CampaignPageFactory(parent=site.root_page, slug="clean-water", targets=[minister])
    french = campaign.copy_for_translation(
        Locale.objects.create(language_code="fr"), copy_parents=True
    )
    french.save_revision().publish()
    CampaignPageFactory(parent=site.root_page)  # another campaign, not purged
    reply = TargetReply.objects.create(campaign=french, target=minister, body="Yes", live=False)
    reply.save_revision()
    cdn.take()
    assert cdn.take() == set()  # a draft shows nowhere

    reply.save_revision().publish()
    purged = cdn.take()
    assert pages_of(campaign) <= purged and f"/api/v3/campaigns/{french.pk}/" in purged

    reply.refresh_from_db()
    reply.unpublish()
    assert pages_of(campaign) <= cdn.take()
    reply.delete()
    assert pages_of(campaign) <= cdn.take()


def test_the_organisations_settings_purge_every_campaign_of_the_site(cdn, site):
    first = CampaignPageFactory(parent=site.root_page)
    second = CampaignPageFactory(parent=site.root_page)
    cdn.take()

    OrganisationSettings.objects.update_or_create(site=site, defaults={"name": "Lakeside"})

    assert cdn.take() == pages_of(first) | pages_of(second)


def test_a_target_purges_the_campaigns_writing_to_it_and_no_other(cdn, site):
    minister = TargetFactory(name="Minister of Water")
    writes = CampaignPageFactory(parent=site.root_page, targets=[minister])
    CampaignPageFactory(parent=site.root_page)  # another target
    cdn.take()

    minister.name = "Minister of Water and Sanitation"
    revision = minister.save_revision()
    assert cdn.take() == set()  # a draft shows nowhere

    revision.publish()
    assert cdn.take() == pages_of(writes)

    minister.unpublish()
    assert cdn.take() == pages_of(writes)


def test_a_restriction_purges_the_pages_it_covers(cdn, site):
    campaign = CampaignPageFactory(parent=site.root_page, slug="clean-water")
    other = CampaignPageFactory(parent=site.root_page, slug="free-press")
    cdn.take()

    PageViewRestriction.objects.create(
        page=campaign, restriction_type=PageViewRestriction.PASSWORD, password="open sesame"
    )
    assert cdn.take() == pages_of(campaign)

    PageViewRestriction.objects.create(
        page=campaign.get_parent(), restriction_type=PageViewRestriction.LOGIN
    )
    assert pages_of(campaign) | pages_of(other) <= cdn.take()


def test_nothing_is_purged_without_a_configured_cache(settings, site):
    with PurgeServer() as server:
        settings.WAGTAILFRONTENDCACHE = {}
        CampaignPageFactory(parent=site.root_page)
        assert server.take() == set()


def test_the_cdn_is_configured_from_the_environment():
    result = run_django(
        "from django.conf import settings; print(settings.WAGTAILFRONTENDCACHE)",
        FRONTEND_CACHE="cloudflare",
        FRONTEND_CACHE_BEARER_TOKEN="token",
        FRONTEND_CACHE_ZONEID="zone",
        FRONTEND_CACHE_HOSTNAMES="act.example.org,www.example.org",
    )
    assert result.stdout.strip() == str(
        {
            "default": {
                "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
                "BEARER_TOKEN": "token",
                "ZONEID": "zone",
                "HOSTNAMES": ["act.example.org", "www.example.org"],
            }
        }
    ), result.stderr

    refused = run_django("", FRONTEND_CACHE="akamai")
    assert "FRONTEND_CACHE must be one of varnish, http, cloudflare" in refused.stderr
