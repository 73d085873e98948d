import pytest
from django.urls import reverse

from cms.base.models import OrganisationSettings
from signatures.models import Delivery
from signatures.services import delivery as delivery_service
from signatures.services import signing
from signatures.tasks import deliver_letter_task
from tests.factories import SUPPORTER, CampaignPageFactory, TargetFactory

pytestmark = pytest.mark.django_db(transaction=True)

DETAILS = SUPPORTER | {"country": "PT", "postal_code": "1000-001"}


def address(message, header):
    [only] = message[header].addresses
    return only.display_name, only.addr_spec


@pytest.fixture
def organisation(site):
    settings, _ = OrganisationSettings.objects.update_or_create(
        site=site, defaults={"name": "Lakeside Watch", "from_email": "act@lakeside.example.org"}
    )
    return settings


def test_the_target_receives_the_message_over_smtp(client, site, organisation, smtp_server):
    target = TargetFactory(
        salutation="The Hon.", name="Minister of Water", email="minister@example.org"
    )
    campaign = CampaignPageFactory(
        parent=site.root_page,
        targets=[target],
        message_subject="Clean water now",
        message_body="Dear Minister,\n\nAct now.",
    )

    client.post(reverse("signatures:sign", args=[campaign.pk]), DETAILS)

    [message] = smtp_server.wait_for(1)
    assert address(message, "From") == ("Lakeside Watch", "act@lakeside.example.org")
    assert address(message, "To") == ("The Hon. Minister of Water", "minister@example.org")
    assert address(message, "Reply-To") == ("Ana Okonjo", "ana@example.org")
    assert message["Subject"] == "Clean water now"
    assert message["Message-ID"].endswith("@lakeside.example.org>")
    body = message.get_content().replace("\r\n", "\n")
    assert body.startswith("Dear Minister,\n\nAct now.\n\n")
    # Signed by the supporter, then the target's own link to answer (test_replies.py).
    assert "Act now.\n\nAna Okonjo\n1000-001, Portugal\n\n--\nAnswer the 1 person" in body
    assert Delivery.objects.get().state == Delivery.State.SENT


def test_each_target_gets_its_own_email(client, site, organisation, smtp_server):
    campaign = CampaignPageFactory(
        parent=site.root_page,
        targets=[TargetFactory(email="one@example.org"), TargetFactory(email="two@example.org")],
    )
    client.post(reverse("signatures:sign", args=[campaign.pk]), DETAILS)
    recipients = sorted(message["To"].addresses[0].addr_spec for message in smtp_server.wait_for(2))
    assert recipients == ["one@example.org", "two@example.org"]


def test_a_delivery_runs_twice_but_sends_once(campaign, organisation, smtp_server):
    signature, _ = signing.record_signature(campaign, DETAILS)
    smtp_server.wait_for(1)
    delivery = Delivery.objects.get(signature=signature)

    deliver_letter_task.apply(args=[delivery.pk])
    deliver_letter_task.apply(args=[delivery.pk])

    assert len(smtp_server.messages) == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (Delivery.State.SENT, 1)


def test_an_unreachable_mail_server_leaves_the_delivery_pending_with_the_reason(
    campaign, organisation, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    signature, _ = signing.record_signature(campaign, DETAILS)
    delivery = Delivery.objects.get(signature=signature)

    with pytest.raises(OSError):
        delivery_service.deliver_letter(delivery.pk)

    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.PENDING
    assert delivery.attempts >= 1
    assert "ConnectionRefusedError" in delivery.last_error


def test_a_mail_server_that_stops_answering_lets_the_worker_go_and_the_letter_waits(
    campaign, organisation, smtp_server, settings
):
    assert 0 < settings.EMAIL_TIMEOUT <= 300  # by default, a minute
    settings.EMAIL_TIMEOUT = 1
    smtp_server.answer_after(30)  # takes the letter in, then says nothing
    signature, _ = signing.record_signature(campaign, DETAILS)
    delivery = Delivery.objects.get(signature=signature)

    with pytest.raises(OSError, match="timed out"):
        delivery_service.deliver_letter(delivery.pk)

    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.PENDING
    assert "timed out" in delivery.last_error


def test_names_cannot_inject_headers(campaign, organisation, smtp_server):
    signature, _ = signing.record_signature(
        campaign, DETAILS | {"first_name": "Ana\nBcc: x@example.org"}
    )
    [message] = smtp_server.wait_for(1)
    assert message["Bcc"] is None
    assert message["Reply-To"].addresses[0].addr_spec == "ana@example.org"


def test_a_supporter_at_an_international_domain_gets_their_letter_sent(
    campaign, organisation, smtp_server
):
    signature, _ = signing.record_signature(campaign, DETAILS | {"email": "zoe@exämple.org"})

    [message] = smtp_server.wait_for(1)

    assert message["Reply-To"].addresses[0].addr_spec == "zoe@xn--exmple-cua.org"
    assert Delivery.objects.get(signature=signature).state == Delivery.State.SENT


def test_a_letter_replies_to_an_international_domain_as_idna_2008_spells_it():
    from signatures.services.delivery import mailbox

    assert mailbox("Zoe", "zoe@straße.de") == "Zoe <zoe@xn--strae-oqa.de>"
    assert mailbox("Zoe", "zoe@exämple.org") == "Zoe <zoe@xn--exmple-cua.org>"
