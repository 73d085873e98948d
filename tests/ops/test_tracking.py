"""Email providers' tracking webhooks (anymail): each letter's outcome, the suppression
list for supporters' emails, bouncing targets shown to editors and moderators."""

import base64
import json
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from signatures.models import Delivery, Signature, Suppression
from tests.factories import CampaignPageFactory, TargetFactory
from tests.moderation.conftest import make_user
from tests.ops.processes import run_django

pytestmark = pytest.mark.django_db

WEBHOOK = "/anymail/postmark/tracking/"
SECRET = "clarion-hook:0123456789abcdef"
AUTH = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(SECRET.encode()).decode()}
TARGET_EMAIL = "minister@water.example.org"
SUPPORTER = {
    "first_name": "Ana",
    "last_name": "Okonjo",
    "email": "ana.okonjo@example.org",
    "country": "PT",
}


@pytest.fixture
def provider(settings):
    """anymail's test backend stands in for the provider's API; its webhook is Postmark's."""
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    settings.EMAIL_PROVIDER = "postmark"
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    return settings


@pytest.fixture
def target(db):
    return TargetFactory(name="Minister of Water", email=TARGET_EMAIL)


@pytest.fixture
def campaign(site, target):
    return CampaignPageFactory(parent=site.root_page, targets=[target], send_receipt=True)


def act(client, campaign, details=SUPPORTER, capture=None):
    with capture(execute=True):
        client.post(reverse("signatures:sign", args=[campaign.pk]), details)


def sent_to(address) -> list:
    return [message for message in mail.outbox if address in message.to[0]]


def postmark(client, record: dict, **auth):
    return client.post(WEBHOOK, json.dumps(record), content_type="application/json", **auth)


def bounce(email, metadata, kind="HardBounce"):
    return {
        "RecordType": "Bounce",
        "ID": 4242,
        "Type": kind,
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Description": "The server was unable to deliver your message.",
        "Details": "550 5.1.1 mailbox unavailable",
        "Email": email,
        "BouncedAt": "2026-12-03T10:00:00Z",
        "Metadata": metadata,
    }


def complaint(email, metadata):
    return bounce(email, metadata, kind="SpamComplaint") | {"RecordType": "SpamComplaint"}


@pytest.fixture
def letter(client, provider, campaign, django_capture_on_commit_callbacks):
    act(client, campaign, capture=django_capture_on_commit_callbacks)
    [message] = sent_to(TARGET_EMAIL)
    return Delivery.objects.get(), message.anymail_test_params["metadata"]


def test_each_message_tells_the_provider_what_it_is_for(letter):
    delivery, metadata = letter

    assert metadata == {"clarion": f"delivery:{delivery.pk}"}
    [receipt] = sent_to(SUPPORTER["email"])
    signature = Signature.objects.get()
    assert receipt.anymail_test_params["metadata"] == {"clarion": f"receipt:{signature.pk}"}


def test_delivered_bounced_complained_and_rejected_are_recorded_with_the_reason(client, letter):
    delivery, metadata = letter
    delivered = {
        "RecordType": "Delivery",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Recipient": TARGET_EMAIL,
        "DeliveredAt": "2026-12-03T09:59:00Z",
        "Details": "250 2.0.0 OK",
        "Metadata": metadata,
    }

    assert postmark(client, delivered, **AUTH).status_code == 200
    delivery.refresh_from_db()
    assert (delivery.state, delivery.outcome) == ("sent", "delivered")
    assert delivery.outcome_at.isoformat() == "2026-12-03T09:59:00+00:00"

    assert postmark(client, bounce(TARGET_EMAIL, metadata), **AUTH).status_code == 200
    delivery.refresh_from_db()
    assert delivery.outcome == "bounced"
    assert delivery.outcome_reason == "bounced; The server was unable to deliver your message."

    postmark(client, complaint(TARGET_EMAIL, metadata), **AUTH)
    delivery.refresh_from_db()
    assert (delivery.outcome, delivery.outcome_reason.split(";")[0]) == ("complained", "spam")

    postmark(client, bounce(TARGET_EMAIL, metadata, kind="BadEmailAddress"), **AUTH)
    delivery.refresh_from_db()
    assert (delivery.outcome, delivery.outcome_reason.split(";")[0]) == ("rejected", "invalid")

    # A late "delivered" does not hide what went wrong.
    postmark(client, delivered, **AUTH)
    delivery.refresh_from_db()
    assert delivery.outcome == "rejected"


def test_a_soft_bounce_changes_nothing(client, letter):
    delivery, metadata = letter

    postmark(client, bounce(TARGET_EMAIL, metadata, kind="SoftBounce"), **AUTH)

    delivery.refresh_from_db()
    assert delivery.outcome == ""
    assert not Suppression.objects.exists()


def test_a_webhook_without_the_providers_credentials_changes_nothing(client, letter, settings):
    delivery, metadata = letter
    wrong = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"clarion-hook:guess").decode()}

    assert postmark(client, bounce(TARGET_EMAIL, metadata)).status_code == 400
    assert postmark(client, bounce(TARGET_EMAIL, metadata), **wrong).status_code == 400
    # Without a secret anymail would take anyone's events: the route refuses them all.
    settings.ANYMAIL = {}
    assert postmark(client, bounce(TARGET_EMAIL, metadata), **AUTH).status_code == 403

    delivery.refresh_from_db()
    assert delivery.outcome == ""
    assert not Suppression.objects.exists()


@pytest.mark.postgres
def test_only_the_configured_provider_s_route_exists(client, provider, settings):
    for other in ("mailgun", "sendgrid", "amazon_ses", "mandrill", "no-such-provider"):
        answer = client.post(f"/anymail/{other}/tracking/", "{}", "application/json", **AUTH)
        assert answer.status_code == 404, other
    assert postmark(client, {}).status_code == 400  # there, and refusing a stranger

    settings.EMAIL_PROVIDER = ""  # SMTP: no provider reports anything
    assert postmark(client, {}, **AUTH).status_code == 404


def test_supporters_emails_never_go_again_to_an_address_that_complained(
    client, letter, site, target, django_capture_on_commit_callbacks
):
    signature = Signature.objects.get()
    assert (
        postmark(
            client, complaint(SUPPORTER["email"], {"clarion": f"receipt:{signature.pk}"}), **AUTH
        ).status_code
        == 200
    )
    [entry] = Suppression.objects.all()
    assert entry.reason == "complained"
    assert (
        "okonjo"
        not in json.dumps(list(Suppression.objects.values_list("address_hash", "reason"))).lower()
    )

    mail.outbox.clear()
    other = CampaignPageFactory(parent=site.root_page, targets=[target], send_receipt=True)
    spelled_otherwise = SUPPORTER | {"email": "Ana.Okonjo@Example.org"}  # the same mailbox
    act(client, other, spelled_otherwise, capture=django_capture_on_commit_callbacks)

    assert len(sent_to(TARGET_EMAIL)) == 1  # the action still counts and its letter goes
    assert not [message for message in mail.outbox if "okonjo" in message.to[0].lower()]
    assert Signature.objects.filter(campaign=other).get().email_due_at is None  # not owed


# One bounce must not silence a person for good (issue 29, finding 4) -----------------------


def suppressed(address) -> bool:
    from signatures.services import tracking

    return tracking.is_suppressed(address)


@pytest.mark.postgres
def test_a_bounce_suppresses_that_very_mailbox_not_the_address_without_its_tag(client, provider):
    assert postmark(client, bounce("victim+petition@example.org", {}), **AUTH).status_code == 200

    assert suppressed("victim+petition@example.org")
    assert suppressed("Victim+Petition@Example.org")  # the same mailbox, spelled otherwise
    assert not suppressed("victim@example.org")
    assert not suppressed("victim+news@example.org")


@pytest.mark.postgres
def test_a_bounce_expires_and_a_complaint_holds(client, provider, settings):
    postmark(client, bounce("full@example.org", {}), **AUTH)
    postmark(client, complaint("angry@example.org", {}), **AUTH)

    bounced = Suppression.objects.get(reason="bounced")
    days = round((bounced.expires_at - bounced.created_at).total_seconds() / 86400)
    assert days == settings.CLARION_BOUNCE_SUPPRESSION_DAYS == 90
    assert Suppression.objects.get(reason="complained").expires_at is None

    Suppression.objects.update(created_at=bounced.created_at - timedelta(days=91))
    Suppression.objects.filter(reason="bounced").update(
        expires_at=bounced.expires_at - timedelta(days=91)  # as if 91 days had passed
    )
    assert not suppressed("full@example.org")
    assert suppressed("angry@example.org")


@pytest.mark.postgres
def test_a_signature_moderator_sees_why_and_lifts_a_suppression_and_it_is_logged(
    client, provider, site
):
    from wagtail.models import ModelLogEntry

    postmark(client, complaint(SUPPORTER["email"], {}), **AUTH)
    screen = reverse("signatures_admin:suppressions")
    client.force_login(make_user("eddie", "Editors"))
    assert client.get(screen).status_code == 403
    assert client.post(screen, {"email": SUPPORTER["email"], "action": "lift"}).status_code == 403
    assert suppressed(SUPPORTER["email"])

    mona = make_user("mona", "Signature moderators")
    client.force_login(mona)
    assert client.get(screen).status_code == 200
    why = client.post(screen, {"email": SUPPORTER["email"], "action": "check"})
    assert "Suppressed: it complained on" in why.content.decode()
    assert "Until lifted." in why.content.decode()

    lifted = client.post(screen, {"email": SUPPORTER["email"], "action": "lift"}, follow=True)

    assert "Lifted: emails to this address go again." in lifted.content.decode()
    assert not suppressed(SUPPORTER["email"])
    assert all("okonjo" not in url for url, _status in lifted.redirect_chain)
    entry = ModelLogEntry.objects.get(action="clarion.suppression.lift")
    assert entry.user == mona and entry.data["reason"] == "complained"


def test_a_hard_bouncing_target_is_shown_to_editors_and_moderators(
    client, letter, campaign, target
):
    delivery, metadata = letter
    postmark(client, bounce(TARGET_EMAIL, metadata), **AUTH)
    editor = make_user("edna", superuser=True)
    client.force_login(editor)

    page = client.get(f"/admin/pages/{campaign.pk}/edit/").content.decode()
    assert f"Minister of Water bounce: check the address {TARGET_EMAIL}." in page

    deliveries = client.get("/admin/signatures/deliveries/?outcome=bounced").content.decode()
    assert "letters to this target bounce, check its address" in deliveries

    target.email = "minister@corrected.example.org"
    target.save()
    page = client.get(f"/admin/pages/{campaign.pk}/edit/").content.decode()
    assert "bounce: check the address" not in page


def test_the_provider_is_chosen_from_the_environment():
    result = run_django(
        "from django.conf import settings\n"
        "print(settings.EMAIL_BACKEND, settings.ANYMAIL['POSTMARK_SERVER_TOKEN'])",
        EMAIL_PROVIDER="postmark",
        ANYMAIL_POSTMARK_SERVER_TOKEN="token-from-the-environment",
    )

    assert result.stdout.split() == [
        "anymail.backends.postmark.EmailBackend",
        "token-from-the-environment",
    ], result.stderr
