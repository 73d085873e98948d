"""What one action sends: the campaign's or the supporter's letter, with their details filled in."""

import pytest
from django.urls import reverse

from campaigns.letters import fill, letter_for
from signatures.models import Delivery, Signature
from signatures.services.delivery import compose_letter
from tests.factories import SUPPORTER, CampaignPageFactory

pytestmark = pytest.mark.django_db

DETAILS = SUPPORTER | {"country": "PT", "postal_code": "1000-001"}


def campaign_with(site, **fields):
    defaults = {
        "message_subject": "{first_name} from {country} asks you to act",
        "message_body": "Dear Minister,\n\nI, {first_name} {last_name}, of {postal_code}, ask you.",
    }
    return CampaignPageFactory(parent=site.root_page, **(defaults | fields))


def sign(client, campaign, **extra):
    response = client.post(reverse("signatures:sign", args=[campaign.pk]), DETAILS | extra)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Signature.objects.get(campaign=campaign, email="ana@example.org")


def email_to_target(signature):
    """The email the first target receives for this action, as the delivery service writes it."""
    target = signature.campaign.specific.targets[0]
    delivery, _ = Delivery.objects.get_or_create(signature=signature, target=target)
    return compose_letter(delivery)


def test_placeholders_are_filled_from_the_supporters_details(client, site):
    campaign = campaign_with(site)
    signature = sign(client, campaign)

    assert letter_for(signature) == (
        "Ana from Portugal asks you to act",
        "Dear Minister,\n\nI, Ana Okonjo, of 1000-001, ask you.",
    )


def test_unknown_placeholders_braces_and_attribute_access_are_left_as_written():
    values = {"first_name": "Ana", "last_name": "", "country": "", "postal_code": ""}
    text = "{first_name} {first_name.__class__} {age} {0} { } {{first_name}} {"
    assert fill(text, values) == "Ana {first_name.__class__} {age} {0} { } {Ana} {"


def test_a_supporters_details_are_not_themselves_filled():
    values = {"first_name": "{last_name}", "last_name": "Okonjo", "country": "", "postal_code": ""}
    assert fill("{first_name} {last_name}", values) == "{last_name} Okonjo"


def test_an_edited_letter_is_sent_when_the_campaign_allows_it(client, site):
    campaign = campaign_with(site, letter_editable=True)
    signature = sign(
        client,
        campaign,
        letter_subject="Please, {first_name} here",
        letter_body="Minister,\r\n\r\nMy own words, from {country}.",
    )

    assert letter_for(signature) == (
        "Please, Ana here",
        "Minister,\n\nMy own words, from Portugal.",
    )
    email = email_to_target(signature)
    assert email.subject == "Please, Ana here"
    assert email.body.startswith("Minister,\n\nMy own words, from Portugal.\n\nAna Okonjo")


def test_an_unchanged_letter_is_stored_empty_and_the_campaigns_letter_is_sent(client, site):
    campaign = campaign_with(site, letter_editable=True)
    # Browsers send textareas with CRLF line endings.
    signature = sign(
        client,
        campaign,
        letter_subject=campaign.message_subject,
        letter_body=campaign.message_body.replace("\n", "\r\n") + "\r\n",
    )
    assert (signature.letter_subject, signature.letter_body) == ("", "")
    assert letter_for(signature)[1] == "Dear Minister,\n\nI, Ana Okonjo, of 1000-001, ask you."


def test_a_fixed_letter_ignores_any_edit_posted_anyway(client, site):
    campaign = campaign_with(site, letter_editable=False)
    signature = sign(client, campaign, letter_subject="Ignore me", letter_body="Ignore me too")

    assert (signature.letter_subject, signature.letter_body) == ("", "")
    assert letter_for(signature)[0] == "Ana from Portugal asks you to act"


def test_the_personal_note_follows_the_letter_in_every_targets_email(client, site):
    # Without the reply link, which ends the letter (tests/signatures/test_replies.py).
    campaign = campaign_with(site, personal_note_limit=200, reply_links=False)
    signature = sign(client, campaign, personal_note="My grandmother drank from those wells.")

    assert email_to_target(signature).body == (
        "Dear Minister,\n\nI, Ana Okonjo, of 1000-001, ask you.\n\n"
        "My grandmother drank from those wells.\n\nAna Okonjo\n1000-001, Portugal\n"
    )


def test_a_letter_reads_as_a_person_writes_it_salutation_body_note_closing_name_once(client, site):
    campaign = campaign_with(
        site,
        personal_note_limit=200,
        message_body="Dear Minister,\n\nPlease act.\n\nYours sincerely,\n{first_name} {last_name}",
        reply_links=False,  # the letter as the supporter signs it (the link follows it)
    )
    signature = sign(client, campaign, personal_note="My grandmother drank from those wells.")

    assert email_to_target(signature).body == (
        "Dear Minister,\n\nPlease act.\n\n"
        "My grandmother drank from those wells.\n\n"
        "Yours sincerely,\nAna Okonjo\n1000-001, Portugal\n"
    )


def test_a_closing_without_the_name_is_signed_below_it_and_a_note_goes_before_it(client, site):
    campaign = campaign_with(
        site,
        personal_note_limit=200,
        message_body="Dear Minister,\n\nPlease act.\n\nKind regards,",
        reply_links=False,
    )
    signature = sign(client, campaign, personal_note="Soon, please.")

    assert email_to_target(signature).body == (
        "Dear Minister,\n\nPlease act.\n\nSoon, please.\n\nKind regards,\nAna Okonjo\n"
        "1000-001, Portugal\n"
    )


def test_a_supporter_who_signs_their_edited_letter_is_not_signed_twice(client, site):
    campaign = campaign_with(site, letter_editable=True, reply_links=False)
    signature = sign(
        client, campaign, letter_body="Minister,\r\n\r\nMy own words.\r\n\r\nBest,\r\nAna Okonjo"
    )

    body = email_to_target(signature).body
    assert body == "Minister,\n\nMy own words.\n\nBest,\nAna Okonjo\n1000-001, Portugal\n"
    assert body.count("Ana Okonjo") == 1


def test_the_demo_letter_to_a_representative_greets_them_by_name_and_signs_once(client, site):
    from campaigns.models import Target
    from cms.management.commands.load_demo import REPRESENTATIVE_LETTER

    campaign = campaign_with(site, message_body=REPRESENTATIVE_LETTER, reply_links=False)
    signature = sign(client, campaign)
    lowell = Target.objects.create(
        name="Margaret Lowell", salutation="Hon.", email="margaret.lowell@example.org"
    )
    delivery = Delivery.objects.create(signature=signature, target=lowell)

    body = compose_letter(delivery).body
    assert body.startswith("Dear Margaret Lowell,\n\n")
    assert body.endswith("Yours sincerely,\nAna Okonjo\n1000-001, Portugal\n")
    assert body.count("Ana Okonjo") == 1
