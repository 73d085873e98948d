"""Writing to the supporter's own representative: found from their postal code when they
take action, written to once per action through the same delivery rows as fixed targets."""

import json
from email.utils import parseaddr

import pytest
from django.core import mail
from django.urls import reverse

from campaigns.representatives import LookupUnavailable
from signatures.models import Delivery, Signature
from signatures.services import delivery as delivery_service
from signatures.services import digest, dispatch, signing
from tests.factories import (
    SUPPORTER,
    TargetFactory,
    representative,
    representative_campaign,
)

pytestmark = pytest.mark.django_db

DETAILS = SUPPORTER | {"postal_code": "k1a 0a6"}


class DownLookup:
    """A provider that cannot answer: Represent down, or slow."""

    def find(self, directory, postal_code):
        raise LookupUnavailable("down")


class NeverAskedLookup:
    def find(self, directory, postal_code):
        raise AssertionError("a fixed-target campaign asked for a lookup")


@pytest.fixture
def to_representative(site, directory):
    return representative_campaign(site.root_page, directory)


def sign_url(campaign):
    return reverse("signatures:sign", args=[campaign.pk])


def api_sign(client, campaign, body):
    return client.post(
        f"/api/v3/campaigns/{campaign.pk}/signatures/",
        json.dumps(body),
        content_type="application/json",
    )


def targets(client, campaign, **query):
    return client.get(f"/api/v3/campaigns/{campaign.pk}/targets/", query)


# Taking action ----------------------------------------------------------------------------


def test_the_thank_you_names_the_representative_the_letter_goes_to(client, to_representative):
    response = client.post(sign_url(to_representative), DETAILS)

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    html = response.content.decode()
    assert "Thank you for taking action" in html
    assert "Your letter goes to your representative:" in html
    assert "Ms <strong>Bea Ottawa</strong> (Ottawa Centre)" in html
    assert "parliament.example.org" not in html  # never the address
    assert Signature.objects.get().postal_code == "k1a 0a6"


def test_the_postal_code_is_required_on_a_representative_campaign(client, site, directory):
    campaign = representative_campaign(site.root_page, directory)
    campaign.postal_code_field = "hidden"  # as an older page might say: asked all the same
    campaign.save()

    response = client.post(sign_url(campaign), DETAILS | {"postal_code": ""})

    assert response.status_code == 400
    assert 'id="id_postal_code_error"' in response.content.decode()
    assert not Signature.objects.exists()


def test_a_postal_code_that_leads_nobody_is_refused_on_its_field_with_the_form_kept(
    client, to_representative
):
    response = client.post(
        sign_url(to_representative), DETAILS | {"postal_code": "X0X 0X0", "personal_note": "Hi"}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_postal_code_error"' in html
    assert "We could not find a representative for this postal code." in html
    assert 'value="X0X 0X0"' in html and 'value="ana@example.org"' in html
    assert not Signature.objects.exists()


def test_the_api_refuses_a_postal_code_that_leads_nobody_as_a_field_error(
    client, to_representative
):
    response = api_sign(client, to_representative, DETAILS | {"postal_code": "X0X"})

    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["loc"] == ["body", "postal_code"]
    assert api_sign(client, to_representative, DETAILS).status_code == 202


def test_a_fixed_target_campaign_never_asks_for_a_lookup(client, campaign, settings):
    settings.CLARION_REPRESENTATIVE_LOOKUP = f"{__name__}.NeverAskedLookup"
    response = client.post(sign_url(campaign), DETAILS)
    assert response.status_code == 302


# The lookup route ----------------------------------------------------------------------------


def test_the_targets_route_names_the_representatives_without_their_addresses(
    client, to_representative
):
    response = targets(client, to_representative, postal_code="K1A 0A6")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {
        "targeting": "representative",
        "targets": [],
        "representatives": [
            {"salutation": "Ms", "name": "Bea Ottawa", "district": "Ottawa Centre", "party": ""}
        ],
        "found": True,
        "message": "",
        "choose_district": False,  # the code lies in one district
        "districts": [],
    }
    assert "@" not in response.content.decode()


@pytest.mark.parametrize("postal_code", ["", "X0X 0X0", "   "])
def test_the_targets_route_says_which_codes_lead_nobody(client, to_representative, postal_code):
    response = targets(client, to_representative, postal_code=postal_code)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["query", "postal_code"]


def test_the_targets_route_refuses_an_overlong_code_and_unknown_campaigns(
    client, to_representative
):
    assert targets(client, to_representative, postal_code="K" * 21).status_code == 422
    assert client.get("/api/v3/campaigns/999999/targets/").status_code == 404


def test_the_targets_route_lists_a_fixed_campaign_s_own_targets(client, site):
    from tests.factories import CampaignPageFactory

    campaign = CampaignPageFactory(
        parent=site.root_page, targets=[TargetFactory(salutation="The Hon.", name="Minister")]
    )
    answer = targets(client, campaign).json()
    assert answer["targeting"] == "fixed"
    assert answer["targets"] == [
        {"salutation": "The Hon.", "name": "Minister", "district": "", "party": ""}
    ]


def test_the_campaign_detail_says_how_it_targets(client, to_representative):
    detail = client.get(f"/api/v3/campaigns/{to_representative.pk}/")
    assert detail.status_code == 200
    action = detail.json()["action"]
    assert (action["targeting"], action["directory"]) == ("representative", "House of Commons")
    assert action["targets_url"].endswith(f"/api/v3/campaigns/{to_representative.pk}/targets/")


# Delivering ---------------------------------------------------------------------------------


def test_each_representative_gets_one_letter_per_action_addressed_to_them(site, directory):
    minister = TargetFactory(salutation="The Hon.", name="Minister of Water")
    campaign = representative_campaign(
        site.root_page, directory, targeting="both", targets=[minister]
    )
    signature, _new = signing.record_signature(campaign, DETAILS)
    dispatch.dispatch_signature(signature.pk)
    dispatch.dispatch_signature(signature.pk)  # dispatched twice: still one row each

    deliveries = Delivery.objects.filter(signature=signature).select_related("target")
    assert sorted(d.target.name for d in deliveries) == ["Bea Ottawa", "Minister of Water"]
    for pk in deliveries.values_list("pk", flat=True):
        delivery_service.deliver_letter(pk)
        delivery_service.deliver_letter(pk)  # run twice, sent once
    letters = {parseaddr(message.to[0])[1]: message for message in mail.outbox}
    assert len(mail.outbox) == 2
    assert letters["bea.ottawa@parliament.example.org"].body.startswith("Dear Ms Bea Ottawa,")
    assert letters[minister.email].body.startswith("Dear The Hon. Minister of Water,")


def test_while_the_lookup_is_down_the_action_is_taken_and_its_letter_waits(
    client, to_representative, settings
):
    settings.CLARION_REPRESENTATIVE_LOOKUP = f"{__name__}.DownLookup"

    response = client.post(sign_url(to_representative), DETAILS)

    assert response.status_code == 200
    assert "as soon as we have found them" in response.content.decode()
    signature = Signature.objects.get()
    assert dispatch.dispatch_waiting() == 1
    signature.refresh_from_db()
    assert signature.dispatched_at is None and signature.dispatch_due_at is not None
    assert not Delivery.objects.exists()

    # The provider is back: the sweeper's next round sends the letter.
    settings.CLARION_REPRESENTATIVE_LOOKUP = "campaigns.representatives.TableLookup"
    dispatch.dispatch_signature(signature.pk)
    [delivery] = Delivery.objects.all()
    delivery_service.deliver_letter(delivery.pk)
    assert parseaddr(mail.outbox[0].to[0])[1] == "bea.ottawa@parliament.example.org"


def test_the_sweeper_finds_an_action_whose_lookup_failed(to_representative, settings):
    from datetime import timedelta

    from django.utils import timezone

    settings.CLARION_REPRESENTATIVE_LOOKUP = f"{__name__}.DownLookup"
    signature, _new = signing.record_signature(to_representative, DETAILS)
    assert signature.representatives is None
    dispatch.dispatch_waiting()
    swept = dispatch.sweep_outbox(now=timezone.now() + timedelta(hours=1))
    assert swept[0] == 1  # re-enqueued, not lost


def test_a_digest_campaign_sends_each_representative_one_digest(site, directory):
    campaign = representative_campaign(site.root_page, directory, digest_minutes=60)
    for n, code in enumerate(["K1A 0A6", "K1A 0B1", "M5V 2T6"]):
        details = DETAILS | {"email": f"s{n}@example.org", "postal_code": code}
        dispatch.dispatch_signature(signing.record_signature(campaign, details)[0].pk)

    assert digest.send_digests() == 2

    by_address = {parseaddr(message.to[0])[1]: message for message in mail.outbox}
    bea = by_address["bea.ottawa@parliament.example.org"]
    assert bea.subject.startswith("2 new actions")
    assert "Dear Ms Bea Ottawa," in bea.body
    assert by_address["cy.toronto@parliament.example.org"].subject.startswith("1 new action")
    assert digest.send_digests() == 0


def test_the_receipt_names_the_supporter_s_representative(site, directory):
    campaign = representative_campaign(site.root_page, directory, send_receipt=True)
    from signatures.services import confirmation

    signature, _new = signing.record_signature(campaign, DETAILS)
    dispatch.dispatch_signature(signature.pk)
    confirmation.send_receipt(signature.pk)
    [receipt] = [m for m in mail.outbox if m.to == ["ana@example.org"]]
    assert "Bea Ottawa" in receipt.body and "Cy Toronto" not in receipt.body


def test_the_letter_preview_is_addressed_to_one_of_the_directory_s_representatives(
    to_representative,
):
    from signatures.services.previews import preview

    email = preview(to_representative, "letter")
    assert email.message.to[0].endswith("@parliament.example.org>")
    assert email.message.body.startswith("Dear M")  # Ms Bea Ottawa or Mr Cy Toronto


# No letter dropped in silence -----------------------------------------------------------------


def test_a_representative_unpublished_before_dispatch_holds_the_letter_rather_than_drop_it(
    to_representative, directory
):
    from campaigns.models import Target
    from signatures.services.representative_targets import NobodyToWriteTo

    signature, _new = signing.record_signature(to_representative, DETAILS)
    Target.objects.filter(name="Bea Ottawa").update(live=False)  # stopped by a moderator

    with pytest.raises(NobodyToWriteTo):
        dispatch.dispatch_signature(signature.pk)
    signature.refresh_from_db()
    assert signature.dispatched_at is None  # still owed: the sweeper tries again
    assert not Delivery.objects.exists()

    Target.objects.filter(name="Bea Ottawa").update(live=True)  # put right
    dispatch.dispatch_signature(signature.pk)
    assert Delivery.objects.get().target.name == "Bea Ottawa"


# A postal code straddling districts ------------------------------------------------------------


@pytest.fixture
def straddling(directory):
    """K1A 0B1 lies in two districts; K1A 0B1 7 (a fuller code) in one of them."""
    representative(directory, "Dee Vanier", ["K1A 0B1"], salutation="Ms", district="Vanier")
    representative(directory, "Eli Centre", ["K1A 0B1"], salutation="Mr", district="Centre")
    return directory


def test_a_straddling_code_offers_its_districts_on_the_form_without_javascript(
    client, to_representative, straddling
):
    response = client.post(sign_url(to_representative), DETAILS | {"postal_code": "K1A 0B1"})

    assert response.status_code == 400
    assert not Signature.objects.exists()
    html = response.content.decode()
    assert "shared by several districts" in html
    assert 'type="hidden" name="district"' not in html  # no choice made for them
    assert '<a href="#id_district">' in html  # the error summary leads to the choice
    assert 'type="radio" name="district" value="Centre" id="id_district"' in html
    assert 'value="Vanier" id="id_district_1"' in html
    assert "Ms Dee Vanier" in html and "Mr Eli Centre" in html
    assert "parliament.example.org" not in html

    response = client.post(
        sign_url(to_representative), DETAILS | {"postal_code": "K1A 0B1", "district": "Centre"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Eli Centre" in html and "Dee Vanier" not in html
    signature = Signature.objects.get()
    assert signature.district == "Centre"
    dispatch.dispatch_signature(signature.pk)
    assert [d.target.name for d in Delivery.objects.select_related("target")] == ["Eli Centre"]


def test_a_district_that_is_not_one_of_the_code_s_is_asked_again(
    client, to_representative, straddling
):
    response = client.post(
        sign_url(to_representative), DETAILS | {"postal_code": "K1A 0B1", "district": "Spadina"}
    )
    assert response.status_code == 400
    assert 'value="Vanier"' in response.content.decode()
    assert not Signature.objects.exists()


def test_a_code_in_one_district_needs_no_choice_and_keeps_its_district(client, to_representative):
    response = client.post(sign_url(to_representative), DETAILS | {"district": "Spadina"})
    assert response.status_code == 200
    assert Signature.objects.get().district == "Ottawa Centre"  # the code's, not as sent


def test_the_targets_route_says_a_code_straddles_districts(client, to_representative, straddling):
    answer = targets(client, to_representative, postal_code="k1a 0b1").json()

    assert answer["choose_district"] is True and answer["representatives"] == []
    assert "shared by several districts" in answer["message"]
    assert answer["districts"] == [
        {
            "district": "Centre",
            "representatives": [
                {"salutation": "Mr", "name": "Eli Centre", "district": "Centre", "party": ""}
            ],
        },
        {
            "district": "Vanier",
            "representatives": [
                {"salutation": "Ms", "name": "Dee Vanier", "district": "Vanier", "party": ""}
            ],
        },
    ]
    chosen = targets(client, to_representative, postal_code="K1A0B1", district="Vanier").json()
    assert chosen["choose_district"] is False
    assert [p["name"] for p in chosen["representatives"]] == ["Dee Vanier"]


def test_the_api_asks_for_a_district_then_takes_the_action(client, to_representative, straddling):
    response = api_sign(client, to_representative, DETAILS | {"postal_code": "K1A 0B1"})

    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["loc"] == ["body", "district"] and error["type"] == "choose_district"
    assert [d["district"] for d in error["districts"]] == ["Centre", "Vanier"]
    assert "@" not in response.content.decode()

    body = DETAILS | {"postal_code": "K1A 0B1", "district": "Vanier"}
    assert api_sign(client, to_representative, body).status_code == 202
    assert Signature.objects.get().district == "Vanier"

    # Front ends learn of the field from the campaign: hidden, set only when asked.
    detail = client.get(f"/api/v3/campaigns/{to_representative.pk}/").json()
    fields = {field["name"]: field for field in detail["action"]["form"]["fields"]}
    assert fields["district"]["type"] == "hidden" and not fields["district"]["required"]


def test_a_straddling_code_in_french_offers_its_districts_in_french(client, site, straddling):
    from tests.factories import translate

    campaign = representative_campaign(site.root_page, straddling)
    french = translate(campaign, "fr")
    response = client.post(sign_url(french), DETAILS | {"postal_code": "K1A 0B1"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "plusieurs circonscriptions" in html and "Votre circonscription" in html


# Letters waiting for a representative: staff told, the site kept in service ----------------


def test_an_action_with_nobody_to_write_to_yet_is_shown_to_staff_and_keeps_the_site_ready(
    admin_client, to_representative
):
    from datetime import timedelta

    from django.utils import timezone

    from campaigns.models import Target
    from signatures.services.backlog import backlog
    from signatures.services.representative_targets import NobodyToWriteTo

    signature, _new = signing.record_signature(to_representative, DETAILS)
    Target.objects.filter(name="Bea Ottawa").update(live=False)  # stopped by a moderator
    with pytest.raises(NobodyToWriteTo):
        dispatch.dispatch_signature(signature.pk)

    signature.refresh_from_db()
    assert signature.dispatched_at is None  # the letter still owed
    # The table finds only published representatives: nobody, for now.
    assert signature.waits_for_representative == "nobody"
    # It waits for the directory, not for a worker: readiness does not fail for it.
    assert backlog(now=timezone.now() + timedelta(hours=1)).waiting == 0
    html = admin_client.get(reverse("signatures_admin:deliveries")).content.decode()
    assert "wait for a representative to write to" in html
    assert (
        f"<td>{to_representative.title}</td>"
        "<td>no published representative found for the postal code</td><td>1</td>"
    ) in html
    assert DETAILS["email"] not in html  # counts only

    Target.objects.filter(name="Bea Ottawa").update(live=True)  # put right
    dispatch.dispatch_signature(signature.pk)
    signature.refresh_from_db()
    assert signature.dispatched_at and signature.waits_for_representative == ""
    html = admin_client.get(reverse("signatures_admin:deliveries")).content.decode()
    assert "wait for a representative to write to" not in html


def test_a_straddling_code_taken_while_the_lookup_was_down_waits_for_a_district(
    to_representative, straddling
):
    from signatures.services.representative_targets import NobodyToWriteTo

    # The lookup could not answer at signing, so nobody was asked to choose.
    signature = Signature.objects.create(
        campaign=to_representative,
        first_name="S",
        last_name="T",
        email="s@example.org",
        email_key="s",
        postal_code="K1A0B1",
    )
    with pytest.raises(NobodyToWriteTo):
        dispatch.dispatch_signature(signature.pk)
    signature.refresh_from_db()
    assert signature.waits_for_representative == "choose" and not Delivery.objects.exists()
