"""Webhooks to the CRM: each counted action POSTed once, signed, logged, never in the way."""

import json
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError
from wagtail.models import Page, Site

from cms.base.models import HomePage
from signatures.models import Signature, WebhookDelivery, WebhookEndpoint
from signatures.models.webhooks import new_secret
from signatures.services import confirmation, dispatch, webhooks
from signatures.tasks import deliver_webhook_task
from tests.factories import SUPPORTER, CampaignPageFactory
from tests.webhooks import allow_local_receiver

pytestmark = pytest.mark.django_db

DETAILS = SUPPORTER | {
    "postal_code": "1000-001",
    "consent": True,
    "personal_note": "My private note",
}


@pytest.fixture
def endpoint(site, receiver):
    webhooks.endpoints_changed()
    return WebhookEndpoint.objects.create(site=site, name="CRM", url=receiver.url)


def sign_via_api(client, campaign, **changes):
    return client.post(
        f"/api/v3/campaigns/{campaign.pk}/signatures/",
        DETAILS | changes,
        content_type="application/json",
    )


def verify(secret: str | bytes, headers: dict, body: bytes) -> bool:
    """What a receiver does: hand the secret, the headers and the body to a Standard
    Webhooks library (it checks the signature and that the timestamp is recent)."""
    try:
        Webhook(secret).verify(body, dict(headers))
    except WebhookVerificationError:
        return False
    return True


def test_a_counted_action_is_posted_signed_and_logged(
    client, campaign, endpoint, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert sign_via_api(client, campaign).status_code == 202

    [(headers, body)] = receiver.requests
    assert verify(endpoint.secret, headers, body)
    assert endpoint.secret.startswith("whsec_")
    assert not verify(new_secret(), headers, body)
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Clarion-Event"] == "signature.counted"
    payload = json.loads(body)
    signature = Signature.objects.get()
    assert payload["event"] == "signature.counted"
    assert payload["signature"]["id"] == signature.pk
    assert payload["campaign"]["id"] == campaign.pk
    assert payload["supporter"] | {"consent": None} == SUPPORTER | {
        "country": "",
        "postal_code": "1000-001",
        "phone": "",
        "consent": None,
    }
    assert payload["supporter"]["consent"]["given"] is True
    assert b"My private note" not in body  # the CRM gets what it needs, not the letter

    log = WebhookDelivery.objects.get()
    assert {name.lower(): value for name, value in headers.items()}["webhook-id"] == str(log.pk)
    assert (log.state, log.attempts, log.response_status) == ("delivered", 1, 200)
    assert log.delivered_at is not None


def test_a_post_the_broker_never_received_is_sent_by_the_sweeper(
    client, campaign, endpoint, receiver
):
    # In this (non-transactional) test after-commit enqueues never run: a dead broker.
    assert sign_via_api(client, campaign).status_code == 202
    dispatch.dispatch_signature(Signature.objects.get().pk)  # owes the CRM a POST
    assert receiver.requests == [] and WebhookDelivery.objects.get().state == "pending"

    assert webhooks.sweep_webhooks() == 0  # too recent: may still be in flight
    assert webhooks.sweep_webhooks(now=timezone.now() + timedelta(minutes=3)) == 1

    [(headers, body)] = receiver.requests
    assert verify(endpoint.secret, headers, body)
    assert WebhookDelivery.objects.get().state == "delivered"


def test_a_retry_the_broker_lost_is_sent_by_the_sweeper(client, campaign, endpoint, receiver):
    assert sign_via_api(client, campaign).status_code == 202
    dispatch.dispatch_signature(Signature.objects.get().pk)
    log = WebhookDelivery.objects.get()
    log.attempts, log.last_error = 1, "HTTP 503 Service Unavailable"
    log.save()
    webhooks.retry_webhook_later(log.pk, 600)  # what the task notes before its retry (then lost)
    now = timezone.now()

    assert webhooks.sweep_webhooks(now=now + timedelta(minutes=5)) == 0  # the retry is not due yet
    assert webhooks.sweep_webhooks(now=now + timedelta(minutes=13)) == 1

    assert len(receiver.requests) == 1
    log.refresh_from_db()
    assert (log.state, log.attempts) == ("delivered", 2)


def test_a_repeat_or_a_pending_action_is_not_posted(
    client, site, endpoint, receiver, django_capture_on_commit_callbacks
):
    campaign = CampaignPageFactory(parent=site.root_page)
    double_opt_in = CampaignPageFactory(parent=site.root_page, confirmation_required=True)
    with django_capture_on_commit_callbacks(execute=True):
        sign_via_api(client, campaign)
        sign_via_api(client, campaign, email="ANA@example.org")
        sign_via_api(client, double_opt_in)
    assert len(receiver.requests) == 1
    assert WebhookDelivery.objects.count() == 1


def test_only_active_endpoints_of_the_campaigns_own_site_are_called(
    site, campaign, receiver, django_capture_on_commit_callbacks
):
    other_home = Page.get_first_root_node().add_child(instance=HomePage(title="Other"))
    other_site = Site.objects.create(hostname="other.example", root_page=other_home)
    WebhookEndpoint.objects.create(site=other_site, name="Other site", url=receiver.url)
    WebhookEndpoint.objects.create(site=site, name="Off", url=receiver.url, is_active=False)
    webhooks.endpoints_changed()
    signature = Signature.objects.create(campaign=campaign, email="a@example.org")

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        webhooks.announce([signature.pk])
    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


def test_a_failing_crm_never_fails_the_action_and_the_failure_is_logged(
    client, campaign, endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.statuses = [503]
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_via_api(client, campaign)
    assert response.status_code == 202
    assert Signature.objects.counted().count() == 1
    log = WebhookDelivery.objects.get()
    assert (log.state, log.attempts, log.response_status) == ("pending", 1, 503)
    assert "HTTP 503" in log.last_error

    # Tried again (by the worker's retry, here by hand): delivered, and the log says so.
    deliver_webhook_task.apply(args=[log.pk])
    log.refresh_from_db()
    assert (log.state, log.attempts, log.response_status, log.last_error) == (
        "delivered",
        2,
        200,
        "",
    )
    assert len(receiver.requests) == 2
    # Delivered once for good: nothing is sent again.
    deliver_webhook_task.apply(args=[log.pk])
    assert len(receiver.requests) == 2


def test_an_unreachable_crm_is_logged(campaign, settings):
    allow_local_receiver(settings)
    endpoint = WebhookEndpoint.objects.create(
        site=campaign.get_site(), name="Down", url="http://127.0.0.1:9/nothing-listens-here"
    )
    signature = Signature.objects.create(campaign=campaign, email="a@example.org")
    log = WebhookDelivery.objects.create(endpoint=endpoint, signature=signature)
    with pytest.raises(webhooks.WebhookFailed):
        webhooks.deliver_webhook(log.pk)
    log.refresh_from_db()
    assert (log.state, log.attempts, log.response_status) == ("pending", 1, None)
    assert "Connection refused" in log.last_error or "URLError" in log.last_error
    webhooks.give_up_webhook(log.pk, "Gave up after 9 attempts")
    log.refresh_from_db()
    assert (log.state, log.last_error) == ("failed", "Gave up after 9 attempts")


def test_the_log_is_read_only_in_the_admin(admin_client, campaign, endpoint):
    signature = Signature.objects.create(campaign=campaign, email="a@example.org")
    WebhookDelivery.objects.create(endpoint=endpoint, signature=signature, attempts=3)

    endpoints = admin_client.get("/admin/snippets/signatures/webhookendpoint/")
    assert endpoints.status_code == 200 and b"CRM" in endpoints.content
    log = admin_client.get("/admin/snippets/signatures/webhookdelivery/")
    assert log.status_code == 200
    assert b"signature.counted" in log.content
    assert admin_client.get("/admin/snippets/signatures/webhookdelivery/add/").status_code in (
        302,
        403,
    )


def test_a_confirmed_double_opt_in_action_is_posted_once_confirmed(
    client, site, endpoint, receiver, django_capture_on_commit_callbacks
):

    campaign = CampaignPageFactory(parent=site.root_page, confirmation_required=True)
    with django_capture_on_commit_callbacks(execute=True):
        sign_via_api(client, campaign)
    assert receiver.requests == []  # pending: not counted yet

    signature = Signature.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        confirmation.confirm_signature(confirmation.token_for(signature))
    [(headers, body)] = receiver.requests
    assert json.loads(body)["signature"]["id"] == signature.pk


def test_a_signature_a_moderator_approves_is_posted(
    admin_user, campaign, endpoint, receiver, django_capture_on_commit_callbacks
):
    from signatures.services import moderation

    spam = Signature.objects.create(
        campaign=campaign, email="a@example.org", email_key="a@example.org", status="spam"
    )
    with django_capture_on_commit_callbacks(execute=True):
        moderation.set_status([spam.pk], Signature.Status.COUNTED, admin_user)
    [(headers, body)] = receiver.requests
    assert json.loads(body)["signature"]["id"] == spam.pk
    assert WebhookDelivery.objects.get().state == "delivered"


def test_a_secret_without_the_standard_prefix_signs_with_its_own_bytes(
    campaign, endpoint, receiver, client, django_capture_on_commit_callbacks
):
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(secret="an-older-secret")
    webhooks.endpoints_changed()
    with django_capture_on_commit_callbacks(execute=True):
        assert sign_via_api(client, campaign).status_code == 202

    [(headers, body)] = receiver.requests
    assert verify(b"an-older-secret", headers, body)
    assert not verify(new_secret(), headers, body)
