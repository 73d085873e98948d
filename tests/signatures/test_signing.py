import pytest
from django.urls import reverse

from signatures.emails import email_key
from signatures.models import Delivery, Signature
from tests.factories import SUPPORTER, CampaignPageFactory, TargetFactory

pytestmark = pytest.mark.django_db

VALID = SUPPORTER | {"country": "PT", "postal_code": "1000-001", "consent": "on"}


def sign_url(campaign):
    return reverse("signatures:sign", args=[campaign.pk])


def test_signing_stores_a_row_and_shows_the_thank_you(client, campaign):
    response = client.post(sign_url(campaign), VALID)

    assert response.status_code == 302
    assert response["Location"] == campaign.url + "thank-you/"
    signature = Signature.objects.get()
    assert (signature.first_name, signature.last_name, signature.email) == (
        "Ana",
        "Okonjo",
        "ana@example.org",
    )
    assert (signature.country.code, signature.postal_code, signature.consent) == (
        "PT",
        "1000-001",
        True,
    )
    assert signature.status == Signature.Status.COUNTED
    thanks = client.get(response["Location"]).content.decode()
    assert "Thank you for taking action" in thanks
    assert "<strong>1</strong> person has taken action" in thanks


def test_the_counter_adds_the_offset(client, site):
    campaign = CampaignPageFactory(parent=site.root_page, counter_offset=785)
    assert "<strong>785</strong> people" in client.get(campaign.url).content.decode()
    client.post(sign_url(campaign), VALID)
    assert "<strong>786</strong> people" in client.get(campaign.url).content.decode()


def test_only_counted_signatures_count(client, campaign):
    client.post(sign_url(campaign), VALID)
    Signature.objects.update(status=Signature.Status.REJECTED)
    assert "<strong>0</strong> people" in client.get(campaign.url).content.decode()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"email": "not-an-address"}, "email"),
        ({"first_name": ""}, "first_name"),
        ({"last_name": ""}, "last_name"),
        ({"country": "XX"}, "country"),
        ({"first_name": "Ana\r\nBcc: victim@example.org"}, "first_name"),
        ({"first_name": "A" * 101}, "first_name"),
        ({"last_name": "Okonjo\x7f"}, "last_name"),  # DEL
        ({"last_name": "Oko\x85njo"}, "last_name"),  # a C1 control: next line
        ({"first_name": "Ana\u2028Bcc"}, "first_name"),  # line separator
        ({"last_name": "\u202eojnokO"}, "last_name"),  # right-to-left override: spoofing
        ({"postal_code": "1000\u2066-001"}, "postal_code"),  # an isolate
    ],
)
def test_invalid_input_is_refused_with_a_message_by_the_field(client, campaign, change, field):
    response = client.post(sign_url(campaign), VALID | change)

    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert f'aria-describedby="id_{field}_error"' in html
    assert not Signature.objects.exists()


@pytest.mark.parametrize("name", ["مهسا\u200cرضایی", "José", "Nguyễn", "O'Brien-Smith"])
def test_names_in_any_script_are_taken(client, campaign, name):
    assert client.post(sign_url(campaign), VALID | {"last_name": name}).status_code == 302
    assert Signature.objects.get().last_name == name


def test_a_repeat_is_answered_like_a_first_signature_and_not_counted(
    client, campaign, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(sign_url(campaign), VALID)
        repeat = client.post(
            sign_url(campaign), VALID | {"email": "  ANA@Example.org ", "first_name": "X"}
        )

    assert repeat.status_code == first.status_code == 302
    assert repeat["Location"] == first["Location"]
    assert Signature.objects.count() == 1
    assert Signature.objects.get().first_name == "Ana"
    assert Delivery.objects.count() == 1
    # The same page follows both: nothing on it tells a repeat from a first signature.
    assert client.get(first["Location"]).content == client.get(repeat["Location"]).content


def test_a_gmail_variant_is_a_repeat(client, campaign):
    client.post(sign_url(campaign), VALID | {"email": "ana.okonjo@gmail.com"})
    repeat = client.post(sign_url(campaign), VALID | {"email": "AnaOkonjo+petition@googlemail.com"})
    assert repeat.status_code == 302
    assert Signature.objects.count() == 1


def test_one_supporter_may_sign_different_campaigns(client, site):
    one, two = (
        CampaignPageFactory(parent=site.root_page),
        CampaignPageFactory(parent=site.root_page),
    )
    client.post(sign_url(one), VALID)
    client.post(sign_url(two), VALID)
    assert Signature.objects.count() == 2


def test_signing_creates_one_delivery_per_target(client, site, django_capture_on_commit_callbacks):
    campaign = CampaignPageFactory(
        parent=site.root_page, targets=[TargetFactory(), TargetFactory()]
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(sign_url(campaign), VALID)
    assert Delivery.objects.filter(signature__campaign=campaign).count() == 2


def test_unpublished_or_unknown_campaigns_refuse_actions(client, campaign):
    for unknown in (999999, 2**31, 2**64):  # beyond any page id, or any integer column
        assert client.post(reverse("signatures:sign", args=[unknown]), VALID).status_code == 404
    campaign.unpublish()
    assert client.post(sign_url(campaign), VALID).status_code == 404
    assert not Signature.objects.exists()


def test_the_forms_address_opened_again_leads_to_the_campaign(client, campaign):
    client.post(sign_url(campaign), VALID | {"email": "not an address"})  # refused: stays here

    response = client.get(sign_url(campaign))

    assert (response.status_code, response["Location"]) == (302, campaign.url)
    assert client.put(sign_url(campaign), VALID).status_code == 405
    assert not Signature.objects.exists()


@pytest.mark.parametrize(
    "address, key",
    [
        (" Ana@Example.ORG ", "ana@example.org"),
        ("ana+petitions@example.org", "ana@example.org"),
        ("a.n.a@gmail.com", "ana@gmail.com"),
        ("A.Na+x@googlemail.com", "ana@gmail.com"),
        ("a.na@example.org", "a.na@example.org"),  # dots matter outside Gmail
        ('"ana"@example.org', "ana@example.org"),
        ('"a b"@example.org', "a b@example.org"),
        ("ana@exämple.org", "ana@xn--exmple-cua.org"),
        ("ana@XN--EXMPLE-CUA.org", "ana@xn--exmple-cua.org"),
        # IDNA 2008: ß is a letter of its own; IDNA 2003 would fold it into strasse.de.
        ("ana@straße.de", "ana@xn--strae-oqa.de"),
        ("ana@STRASSE.de", "ana@strasse.de"),
    ],
)
def test_email_key_folds_the_forms_of_one_address(address, key):
    assert email_key(address) == key


@pytest.mark.parametrize("address", ["ana@localhost", "ana@[127.0.0.1]", "ana@intranet"])
def test_an_address_no_reply_could_reach_is_refused(client, campaign, address):
    response = client.post(sign_url(campaign), VALID | {"email": address})
    assert response.status_code == 400
    assert "Please enter a valid email address" in response.content.decode()
    assert not Signature.objects.exists()


def test_taking_action_writes_one_row_and_reads_nothing(client, campaign, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.CLARION_CAMPAIGN_CACHE_SECONDS = 2
    client.post(sign_url(campaign), VALID)  # loads the campaign into this process
    with CaptureQueriesContext(connection) as queries:
        response = client.post(sign_url(campaign), VALID | {"email": "bo@example.org"})

    assert response.status_code == 302
    statements = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 1
    assert statements[0].startswith('INSERT INTO "signatures_signature"')


def test_the_campaign_cache_forgets_unpublished_campaigns_at_once(client, campaign, settings):
    settings.CLARION_CAMPAIGN_CACHE_SECONDS = 2
    assert client.post(sign_url(campaign), VALID).status_code == 302
    campaign.unpublish()
    assert client.post(sign_url(campaign), VALID | {"email": "bo@example.org"}).status_code == 404


def test_a_password_protected_campaign_takes_actions_only_from_those_let_in(client, campaign):
    from wagtail.models import PageViewRestriction

    restriction = PageViewRestriction.objects.create(
        page=campaign, restriction_type=PageViewRestriction.PASSWORD, password="s3cret"
    )

    refused = client.post(sign_url(campaign), VALID)
    assert (refused.status_code, refused["Location"]) == (303, campaign.url)
    assert "Okonjo" not in refused.content.decode()  # nor the page's content
    assert not Signature.objects.exists()

    client.post(
        reverse("wagtailcore_authenticate_with_password", args=[restriction.pk, campaign.pk]),
        {"password": "s3cret", "return_url": campaign.url},
    )
    assert client.post(sign_url(campaign), VALID).status_code == 302
    assert Signature.objects.count() == 1


def test_a_campaign_for_logged_in_users_refuses_anonymous_actions(client, campaign):
    from wagtail.models import PageViewRestriction

    PageViewRestriction.objects.create(page=campaign, restriction_type=PageViewRestriction.LOGIN)

    assert client.post(sign_url(campaign), VALID).status_code == 303
    assert not Signature.objects.exists()
