"""Each campaign sets up its own action form: which details are asked, the consent, the button."""

import re

import pytest
from django.urls import reverse

from signatures.forms import SignatureForm
from signatures.models import Signature
from tests.factories import SUPPORTER as ALWAYS
from tests.factories import CampaignPageFactory, TargetFactory

pytestmark = pytest.mark.django_db


def test_names_and_email_are_always_asked_and_the_rest_as_the_campaign_chose(site):
    campaign = CampaignPageFactory(
        parent=site.root_page,
        country_field="hidden",
        postal_code_field="required",
        phone_field="optional",
    )
    form = SignatureForm(campaign=campaign)

    assert "country" not in form.fields
    assert all(form.fields[name].required for name in ("first_name", "last_name", "email"))
    assert form.fields["postal_code"].required
    assert not form.fields["phone"].required


def test_a_required_detail_is_refused_when_missing_and_a_hidden_one_is_never_stored(client, site):
    campaign = CampaignPageFactory(
        parent=site.root_page, country_field="hidden", postal_code_field="required"
    )
    url = reverse("signatures:sign", args=[campaign.pk])

    response = client.post(url, ALWAYS | {"country": "PT"})
    assert response.status_code == 400
    assert 'id="id_postal_code_error"' in response.content.decode()

    assert client.post(url, ALWAYS | {"country": "PT", "postal_code": "1000"}).status_code == 302
    signature = Signature.objects.get()
    assert not signature.country and signature.postal_code == "1000"


def test_the_phone_number_is_asked_validated_and_stored(client, site):
    campaign = CampaignPageFactory(parent=site.root_page, phone_field="required")
    url = reverse("signatures:sign", args=[campaign.pk])

    html = client.get(campaign.url).content.decode()
    assert 'type="tel"' in html and 'autocomplete="tel"' in html
    assert client.post(url, ALWAYS | {"phone": "call me"}).status_code == 400
    assert client.post(url, ALWAYS | {"phone": "+351 21 000 0000"}).status_code == 302
    assert Signature.objects.get().phone == "+351210000000"  # E.164


@pytest.mark.parametrize(
    "phone, country, stored",
    [
        ("+351 21 000 0000", "", "+351210000000"),
        ("(+44) 20-7946-0958", "", "+442079460958"),
        ("21 000 0000", "PT", "+351210000000"),  # no +: a number of the supporter's country
        ("020 7946 0958", "GB", "+442079460958"),
    ],
)
def test_a_phone_number_is_kept_in_e164_whatever_its_spelling(client, site, phone, country, stored):
    campaign = CampaignPageFactory(
        parent=site.root_page, phone_field="required", country_field="optional"
    )
    url = reverse("signatures:sign", args=[campaign.pk])

    assert client.post(url, ALWAYS | {"phone": phone, "country": country}).status_code == 302
    assert str(Signature.objects.get().phone) == stored


@pytest.mark.parametrize(
    "phone, country",
    [
        ("+351 999 888 777", ""),  # digits enough, but no number Portugal gives out
        ("21 000 0000", ""),  # no + and no country: whose number is it?
        ("12", "PT"),
    ],
)
def test_a_phone_number_that_is_no_number_is_refused_with_a_message(client, site, phone, country):
    campaign = CampaignPageFactory(
        parent=site.root_page, phone_field="required", country_field="optional"
    )
    url = reverse("signatures:sign", args=[campaign.pk])

    response = client.post(url, ALWAYS | {"phone": phone, "country": country})

    assert response.status_code == 400
    assert "Please enter a phone number" in response.content.decode()
    assert not Signature.objects.exists()


def test_consent_text_and_button_label_come_from_the_campaign(client, site):
    campaign = CampaignPageFactory(
        parent=site.root_page,
        consent_text="Send me news from Lakeside Watch.",
        button_label="Write to the minister",
    )
    html = client.get(campaign.url).content.decode()
    assert '<label for="id_consent">Send me news from Lakeside Watch.</label>' in html
    assert '<button type="submit" class="button">Write to the minister</button>' in html


def test_without_consent_text_there_is_no_checkbox(client, site):
    campaign = CampaignPageFactory(parent=site.root_page, consent_text="")
    assert 'name="consent"' not in client.get(campaign.url).content.decode()


def test_the_personal_note_has_the_campaigns_length_limit(client, site):
    campaign = CampaignPageFactory(parent=site.root_page, personal_note_limit=20)
    url = reverse("signatures:sign", args=[campaign.pk])

    html = client.get(campaign.url).content.decode()
    assert 'name="personal_note"' in html and 'maxlength="20"' in html
    response = client.post(url, ALWAYS | {"personal_note": "x" * 21})
    assert response.status_code == 400
    assert 'id="id_personal_note_error"' in response.content.decode()
    assert client.post(url, ALWAYS | {"personal_note": "x" * 20}).status_code == 302
    assert Signature.objects.get().personal_note == "x" * 20


def test_no_personal_note_when_the_limit_is_zero(client, site):
    campaign = CampaignPageFactory(parent=site.root_page, personal_note_limit=0)
    client.post(reverse("signatures:sign", args=[campaign.pk]), ALWAYS | {"personal_note": "hi"})
    assert 'name="personal_note"' not in client.get(campaign.url).content.decode()
    assert Signature.objects.get().personal_note == ""


def test_an_editable_letter_is_offered_prefilled_and_a_fixed_one_is_shown_readable(client, site):
    editable = CampaignPageFactory(
        parent=site.root_page, letter_editable=True, message_body="Dear {first_name}'s minister"
    )
    html = client.get(editable.url).content.decode()
    assert '<textarea name="letter_body"' in html
    assert "Dear {first_name}&#x27;s minister</textarea>" in html

    fixed = CampaignPageFactory(
        parent=site.root_page, letter_editable=False, message_body="Dear {first_name}'s minister"
    )
    html = client.get(fixed.url).content.decode()
    assert 'name="letter_body"' not in html
    assert "Dear [your first name]&#x27;s minister" in html


def test_an_edited_letter_has_a_length_limit(client, site):
    campaign = CampaignPageFactory(parent=site.root_page, letter_editable=True)
    response = client.post(
        reverse("signatures:sign", args=[campaign.pk]), ALWAYS | {"letter_body": "x" * 5001}
    )
    assert response.status_code == 400
    assert not Signature.objects.exists()


def test_several_targets_are_listed_by_name_never_by_address(client, site):
    targets = [
        TargetFactory(salutation="The Hon.", name="Minister of Justice", email="j@example.org"),
        TargetFactory(salutation="", name="Regional Governor", email="g@example.org", country="PT"),
    ]
    campaign = CampaignPageFactory(parent=site.root_page, targets=targets)

    html = client.get(campaign.url).content.decode()
    assert "Minister of Justice" in html and "Regional Governor" in html
    assert "j@example.org" not in html and "g@example.org" not in html
    assert [target.country.name for target in campaign.targets] == ["", "Portugal"]


def label_of(html, name):
    """The text of the label for the form field `name`."""
    return re.search(rf'<label for="id_{name}">(.*?)</label>', html, re.S).group(1)


def test_the_prefilled_letter_says_the_supporter_may_edit_it_and_is_not_called_optional(
    client, site
):
    campaign = CampaignPageFactory(
        parent=site.root_page, letter_editable=True, message_body="Dear Minister, free them."
    )
    html = client.get(campaign.url).content.decode()
    assert "This letter is sent in your name. You may edit it." in html
    form = html.split('class="sign-form"')[1].split("</form>")[0]
    assert "braces" not in form and "{" not in form
    for name in ("letter_subject", "letter_body"):
        assert "(optional)" not in label_of(html, name)
    assert "(optional)" in label_of(html, "postal_code")  # details still say so


def test_the_letters_help_names_only_the_placeholders_it_has(client, site):
    campaign = CampaignPageFactory(
        parent=site.root_page,
        letter_editable=True,
        message_subject="From {first_name}",
        message_body="I am {first_name} {last_name}.",
    )
    html = client.get(campaign.url).content.decode()
    assert "You may edit it. {first_name}, {last_name} are filled in with your details." in html
    assert "{postal_code}" not in html and "{country}" not in html
