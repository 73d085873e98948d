"""Double opt-in: pending until confirmed by a POST from the emailed link; receipts."""

import re
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from signatures import counter
from signatures.models import Delivery, Signature
from signatures.services import dispatch
from signatures.services.confirmation import CONFIRM_MAX_AGE, CONFIRM_SALT, LINK_INTERVAL
from signatures.services.outbox import GRACE
from tests.factories import SUPPORTER as VALID
from tests.factories import CampaignPageFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def opt_in_campaign(site):
    return CampaignPageFactory(parent=site.root_page, confirmation_required=True, counter_offset=10)


def confirmation_link(message):
    return re.search(r"https?://\S+/act/confirm/\S+/", message.body).group(0)


def sign(client, campaign, **changes):
    return client.post(reverse("signatures:sign", args=[campaign.pk]), VALID | changes)


def test_a_pending_signature_does_not_count_until_confirmed_by_post(client, opt_in_campaign):
    response = sign(client, opt_in_campaign)

    assert response.status_code == 302
    assert "One more step" in client.get(response["Location"]).content.decode()
    signature = Signature.objects.get()
    assert signature.status == Signature.Status.PENDING
    assert counter.displayed_count(opt_in_campaign) == 10
    assert not Delivery.objects.exists()
    [message] = mail.outbox
    assert message.to == ["ana@example.org"]
    link = confirmation_link(message)
    assert "ana" not in link.lower()  # no personal data in the URL

    path = link.split("testserver", 1)[1]
    page = client.get(path)  # what a mail scanner does
    assert page.status_code == 200
    assert 'method="post"' in page.content.decode()
    signature.refresh_from_db()
    assert signature.status == Signature.Status.PENDING
    assert not Delivery.objects.exists()

    confirmed = client.post(path)

    assert confirmed.status_code == 200
    assert "your action is confirmed" in confirmed.content.decode()
    signature.refresh_from_db()
    assert signature.status == Signature.Status.COUNTED
    assert counter.displayed_count(opt_in_campaign) == 11
    assert Delivery.objects.filter(signature=signature, state=Delivery.State.SENT).count() == 1
    assert len(mail.outbox) == 2  # the confirmation, then the target's email

    again = client.post(path)  # single use
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    assert Delivery.objects.count() == 1


def test_a_browser_that_keeps_no_cookies_can_confirm(client, opt_in_campaign):
    sign(client, opt_in_campaign)
    path = confirmation_link(mail.outbox[0]).split("testserver", 1)[1]
    cookieless = Client(enforce_csrf_checks=True)  # no CSRF cookie: it was never stored

    confirmed = cookieless.post(path)

    assert confirmed.status_code == 200
    assert Signature.objects.get().status == Signature.Status.COUNTED


@pytest.mark.parametrize(
    "token, status, message",
    [
        ("not-a-token", 404, "not valid"),
        (signing.dumps(1, salt="another.purpose"), 404, "not valid"),
    ],
    ids=["garbage", "signed-for-another-purpose"],  # stable: the signed one holds a timestamp
)
def test_bad_tokens_are_refused_clearly(client, opt_in_campaign, token, status, message):
    sign(client, opt_in_campaign)
    response = client.post(reverse("signatures:confirm", args=[token]))
    assert response.status_code == status
    assert message in response.content.decode()
    assert Signature.objects.get().status == Signature.Status.PENDING


def test_tokens_expire(client, opt_in_campaign, monkeypatch):
    sign(client, opt_in_campaign)
    path = confirmation_link(mail.outbox[0]).split("testserver", 1)[1]
    real_time = signing.time.time
    monkeypatch.setattr(signing.time, "time", lambda: real_time() + CONFIRM_MAX_AGE + 60)

    response = client.post(path)

    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert Signature.objects.get().status == Signature.Status.PENDING


def test_a_token_names_one_signature_and_cannot_be_altered(client, opt_in_campaign):
    sign(client, opt_in_campaign)
    sign(client, opt_in_campaign, email="bo@example.org")
    first, second = Signature.objects.order_by("pk")
    token = signing.dumps(first.pk, salt=CONFIRM_SALT)
    forged = token.replace(
        token.split(":")[0], signing.b64_encode(str(second.pk).encode()).decode()
    )

    assert client.post(reverse("signatures:confirm", args=[forged])).status_code == 404
    assert client.post(reverse("signatures:confirm", args=[token])).status_code == 200
    statuses = dict(Signature.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "counted", second.pk: "pending"}


def test_a_repeat_while_pending_is_answered_the_same(client, opt_in_campaign):
    first, repeat = sign(client, opt_in_campaign), sign(client, opt_in_campaign)
    assert first.status_code == repeat.status_code == 302
    assert first["Location"] == repeat["Location"]
    assert Signature.objects.count() == 1


def test_the_supporter_gets_a_receipt_once_the_action_counts(client, site):
    campaign = CampaignPageFactory(parent=site.root_page, send_receipt=True)
    sign(client, campaign)

    receipts = [message for message in mail.outbox if message.to == ["ana@example.org"]]
    assert len(receipts) == 1
    assert "Your action is on its way" in receipts[0].subject
    assert str(campaign.targets[0]) in receipts[0].body


def test_no_receipt_unless_the_campaign_asks(client, campaign):
    sign(client, campaign)
    [message] = mail.outbox
    assert campaign.targets[0].email in message.to[0]


def confirmation_path(message):
    return confirmation_link(message).split("testserver", 1)[1]


@pytest.mark.postgres
def test_a_repeat_while_pending_sends_a_fresh_link_and_the_latest_details_win(
    client, opt_in_campaign
):
    # Someone else uses Ana's address first, with their own name and note; then Ana acts.
    impostor = {"first_name": "Mallory", "last_name": "Grey", "personal_note": "Not Ana's view"}
    opt_in_campaign.personal_note_limit = 200
    opt_in_campaign.save_revision().publish()
    first = sign(client, opt_in_campaign, **impostor)
    second = sign(client, opt_in_campaign, personal_note="Ana's own words")

    assert (first.status_code, first["Location"]) == (second.status_code, second["Location"])
    # The second link is not held back, and shows what it confirms.
    earlier, latest = mail.outbox
    assert earlier.to == latest.to == ["ana@example.org"]
    assert "Mallory Grey" in earlier.body
    assert "Ana Okonjo" in latest.body and "Ana's own words" in latest.body
    assert "Mallory" not in latest.body

    assert client.post(confirmation_path(latest)).status_code == 200

    signature = Signature.objects.get()
    assert signature.status == Signature.Status.COUNTED
    assert (signature.first_name, signature.last_name) == ("Ana", "Okonjo")
    assert signature.personal_note == "Ana's own words"
    letter = mail.outbox[2]  # to the target, in Ana's name with her note
    assert "Ana Okonjo" in letter.body and "Ana's own words" in letter.body
    assert "Mallory" not in letter.body and "Not Ana's view" not in letter.body


@pytest.mark.postgres
def test_an_earlier_link_no_longer_confirms(client, opt_in_campaign):
    sign(client, opt_in_campaign, first_name="Mallory")
    sign(client, opt_in_campaign)
    earlier, latest = mail.outbox

    for method in (client.get, client.post):
        refused = method(confirmation_path(earlier))
        assert refused.status_code == 410
        assert "replaced" in refused.content.decode()
    signature = Signature.objects.get()
    assert signature.status == Signature.Status.PENDING
    assert not Delivery.objects.exists()

    assert client.post(confirmation_path(latest)).status_code == 200
    assert Signature.objects.get().first_name == "Ana"


@pytest.mark.postgres
def test_repeats_cannot_flood_a_mailbox_and_the_held_back_link_goes_later(client, opt_in_campaign):
    for n in range(6):  # from six connections, so the per-connection limit is not what stops it
        response = client.post(
            reverse("signatures:sign", args=[opt_in_campaign.pk]),
            VALID | {"first_name": f"Name{n}"},
            REMOTE_ADDR=f"192.0.2.{n + 1}",
        )
        assert response.status_code == 302

    # The first link and the second at once; the rest wait for the pace.
    assert [message.body.split(",")[0] for message in mail.outbox] == ["Hello Name0", "Hello Name1"]
    signature = Signature.objects.get()
    assert signature.first_name == "Name5"
    wait = signature.email_due_at - timezone.now()
    assert timedelta(minutes=25) < wait <= LINK_INTERVAL

    # Half an hour later the sweeper sends the link held back, with the latest details.
    Signature.objects.update(
        email_due_at=F("email_due_at") - LINK_INTERVAL - GRACE,
        links_paced_until=F("links_paced_until") - LINK_INTERVAL - GRACE,
    )
    dispatch.sweep_outbox()
    assert len(mail.outbox) == 3
    assert mail.outbox[2].body.startswith("Hello Name5")
    assert client.post(confirmation_path(mail.outbox[1])).status_code == 410
    assert client.post(confirmation_path(mail.outbox[2])).status_code == 200
    assert Signature.objects.get().status == Signature.Status.COUNTED
