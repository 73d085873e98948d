"""Surge mode: one switch sheds what an action does not need. Actions, letters and
confirmation emails go on; receipts and webhooks wait, and go once it is off; the counter
is recounted less often. Only administrators may throw the switch."""

from datetime import timedelta
from email.utils import parseaddr

import pytest
from django.core import mail
from django.core.cache.backends import locmem
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cms.base import surge
from cms.base.models import SurgeMode
from signatures import counter
from signatures.models import Signature, WebhookEndpoint
from signatures.services import dispatch, signing, webhooks
from tests.factories import SUPPORTER as DETAILS
from tests.factories import CampaignPageFactory, TargetFactory
from tests.moderation.conftest import make_user

pytestmark = pytest.mark.django_db

LATER = timedelta(minutes=3)  # past the sweepers' grace for work that may still be in flight


def sign_via_api(client, campaign, **changes):
    response = client.post(
        f"/api/v3/campaigns/{campaign.pk}/signatures/",
        DETAILS | changes,
        content_type="application/json",
    )
    assert response.status_code == 202
    return response


def recipients():
    return sorted(parseaddr(address)[1] for message in mail.outbox for address in message.to)


def test_in_a_surge_letters_and_confirmations_go_on_while_receipts_and_webhooks_wait(
    client, site, receiver, settings, django_capture_on_commit_callbacks
):
    webhooks.endpoints_changed()
    WebhookEndpoint.objects.create(site=site, name="CRM", url=receiver.url)
    target = TargetFactory(email="minister@gov.example")
    campaign = CampaignPageFactory(parent=site.root_page, targets=[target], send_receipt=True)
    confirming = CampaignPageFactory(parent=site.root_page, confirmation_required=True)
    settings.CLARION_SURGE_MODE = True

    with django_capture_on_commit_callbacks(execute=True):
        sign_via_api(client, campaign)
        sign_via_api(client, confirming, email="ben@example.org")

    assert recipients() == ["ben@example.org", "minister@gov.example"]  # link and letter
    assert receiver.requests == []
    with django_capture_on_commit_callbacks(execute=True):  # the sweepers hold them back
        assert dispatch.sweep_outbox(now=timezone.now() + LATER) == (0, 0, 0)
        assert webhooks.sweep_webhooks(now=timezone.now() + LATER) == 0
    assert len(mail.outbox) == 2 and receiver.requests == []

    settings.CLARION_SURGE_MODE = False  # the surge has passed: what waited goes
    with django_capture_on_commit_callbacks(execute=True):
        assert dispatch.sweep_outbox(now=timezone.now() + LATER) == (0, 0, 1)
        assert webhooks.sweep_webhooks(now=timezone.now() + LATER) == 1
    assert recipients() == ["ana@example.org", "ben@example.org", "minister@gov.example"]
    [(headers, _body)] = receiver.requests
    assert headers["X-Clarion-Event"] == "signature.counted"
    assert Signature.objects.get(email="ana@example.org").receipt_sent_at is not None


def test_in_a_surge_the_counter_is_recounted_every_thirty_seconds(campaign, settings, monkeypatch):
    settings.CLARION_SURGE_MODE = True
    signing.record_signature(campaign, DETAILS)
    assert counter.displayed_count(campaign) == 1
    signing.record_signature(campaign, DETAILS | {"email": "ben@example.org"})

    now = locmem.time.time()
    monkeypatch.setattr(locmem.time, "time", lambda: now + counter.FRESHNESS_SECONDS + 1)
    with CaptureQueriesContext(connection) as queries:
        assert counter.displayed_count(campaign) == 1  # still fresh in a surge
    assert len(queries) == 0
    monkeypatch.setattr(locmem.time, "time", lambda: now + counter.SURGE_FRESHNESS_SECONDS + 1)
    assert counter.displayed_count(campaign) == 2


def edit_url():
    return f"/admin/settings/cms/surgemode/{SurgeMode.load().pk}/"


@pytest.mark.parametrize("group", ["Editors", "Moderators", "Signature moderators"])
def test_no_group_may_throw_the_switch(client, site, group):
    client.force_login(make_user("someone", group))
    response = client.post(edit_url(), {"active": "on"})
    assert response.status_code in (302, 403)
    assert not SurgeMode.load().active
    assert not surge.active()


def test_an_administrator_throws_the_switch_and_every_process_follows(client, site):
    assert not surge.active()  # read once: this process now keeps "off" for a moment
    client.force_login(make_user("root", superuser=True))

    response = client.post(edit_url(), {"active": "on"})

    assert response.status_code == 302
    assert SurgeMode.load().active
    surge._memo["until"] = 0.0  # another process, whose moment has passed
    assert surge.active()
    client.post(edit_url(), {})
    surge._memo["until"] = 0.0
    assert not surge.active()


def test_in_a_surge_the_counter_api_tells_caches_to_keep_it_thirty_seconds(client, campaign):
    counter_url = f"/api/v3/campaigns/{campaign.pk}/counter/"
    assert "max-age=5," in client.get(counter_url)["Cache-Control"]
    SurgeMode.objects.update_or_create(pk=SurgeMode.load().pk, defaults={"active": True})
    surge.forget()
    directives = client.get(counter_url)["Cache-Control"]
    assert "max-age=30," in directives and "s-maxage=30," in directives
