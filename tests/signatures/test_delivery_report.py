"""Proof of delivery, per target (issue 33, point 1): in the admin on the campaign for its
editors, in the staff API, and as webhook events; never a supporter's details."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils.html import escape

from signatures.models import Delivery, Signature, Suppression, WebhookDelivery, WebhookEndpoint
from signatures.services import delivery, delivery_report, webhooks
from signatures.services.privacy import address_hash
from tests.factories import CampaignPageFactory, TargetFactory
from tests.moderation.conftest import add_signature, make_user
from tests.ops.test_tracking import AUTH, bounce, postmark, provider  # noqa: F401

pytestmark = pytest.mark.django_db

MINISTER = "minister@water.example.org"
SUPPORTER = "ana.okonjo@example.org"


@pytest.fixture
def minister(db):
    return TargetFactory(name="Minister of Water", email=MINISTER)


@pytest.fixture
def draft_target(db):
    return TargetFactory(name="New Secretary", email="secretary@water.example.org", live=False)


@pytest.fixture
def water(site, minister, draft_target):
    return CampaignPageFactory(parent=site.root_page, targets=[minister, draft_target])


def letter(campaign, target, **fields) -> Delivery:
    signature = add_signature(campaign, email=fields.pop("email", None) or _next_email())
    return Delivery.objects.create(signature=signature, target=target, **fields)


_emails = iter(f"supporter{n}@example.org" for n in range(10_000))


def _next_email():
    return next(_emails)


@pytest.fixture
def letters(water, minister, draft_target):
    """The minister: 1 waiting, 3 accepted (1 delivered, 1 bounced), 1 failed, 1 held back;
    the draft target: 1 refused as unpublished."""
    letter(water, minister)
    letter(water, minister, state="sent", outcome="delivered")
    letter(water, minister, state="sent")
    letter(
        water,
        minister,
        email=SUPPORTER,
        state="failed",
        last_error=f"SMTPRecipientsRefused: {{'{MINISTER}': (550, 'no such user')}} "
        f"reply-to {SUPPORTER}",
    )
    letter(water, minister, state="withheld", last_error="Withheld: a moderator set it to spam")
    bounced = letter(
        water,
        minister,
        state="sent",
        outcome="bounced",
        outcome_reason="bounced; The server was unable to deliver your message.",
    )
    Delivery.objects.filter(pk=bounced.pk).update(outcome_at=bounced.due_at)
    Suppression.objects.create(address_hash=address_hash(MINISTER), reason="bounced")
    letter(
        water,
        draft_target,
        state="failed",
        last_error="The target is unpublished: it receives letters once published again.",
    )


def test_each_target_shows_what_became_of_its_letters(water, letters):
    minister, draft = delivery_report.campaign_targets_report(water)
    assert (minister.target, minister.published) == ("The Hon. Minister of Water", True)
    counts = {
        name: getattr(minister, name) for name in delivery_report.COUNTS if name != "unapproved"
    }
    assert counts == {
        "letters": 6,
        "waiting": 1,
        "accepted": 3,
        "delivered": 1,
        "bounced": 1,
        "complained": 0,
        "failed": 1,
        "withheld": 1,
    }
    assert minister.suppressed == "bounced"
    assert minister.advice == str(delivery_report.ADVICE["bounced"])
    assert (draft.published, draft.waiting_for_approval, draft.letters) == (False, 1, 1)
    assert draft.advice == str(delivery_report.ADVICE["unpublished"])


def test_the_last_failure_names_the_target_but_never_a_supporter(water, letters):
    Delivery.objects.filter(outcome="bounced").update(outcome_at="2000-01-01T00:00:00Z")
    minister = delivery_report.campaign_targets_report(water)[0]
    assert minister.last_failure.startswith("SMTPRecipientsRefused")
    assert MINISTER in minister.last_failure
    assert SUPPORTER not in minister.last_failure and "[address]" in minister.last_failure


def test_a_letter_held_back_by_moderation_is_no_failure(water, minister):
    letter(water, minister, state="withheld", last_error="Withheld: a moderator set it to spam")
    letter(water, minister, state="pending", last_error="Withheld: a moderator set it to spam")
    [row, _draft] = delivery_report.campaign_targets_report(water)
    assert (row.last_failure, row.advice) == ("", "")


def test_an_editor_sees_proof_of_delivery_on_the_campaign_without_supporters(
    client, water, letters
):
    editor = make_user("eddie", "Editors")
    assert not editor.has_perm("signatures.view_signature")
    client.force_login(editor)
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[water.pk])).content.decode()
    url = reverse("delivery_admin:delivery_report", args=[water.pk])
    assert url in edit
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Minister of Water" in html and "Accepted by the mail server" in html
    assert escape(str(delivery_report.ADVICE["bounced"])) in html
    assert "yes: the address bounced" in html
    for signature in Signature.objects.all():
        assert signature.email not in html and signature.last_name not in html


def test_someone_who_may_not_edit_the_campaign_is_refused(client, water, letters):
    outsider = make_user("olga")
    outsider.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(outsider)
    url = reverse("delivery_admin:delivery_report", args=[water.pk])
    assert client.get(url).status_code == 403
    assert client.get(f"/api/v3/campaigns/{water.pk}/delivery/").status_code == 403


def test_the_staff_api_gives_the_same_report_to_signed_in_staff_only(client, water, letters):
    path = f"/api/v3/campaigns/{water.pk}/delivery/"
    assert client.get(path).status_code == 401
    client.force_login(make_user("mona", "Signature moderators"))
    response = client.get(path)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    data = response.json()
    minister = data["targets"][0]
    assert (minister["accepted"], minister["delivered"], minister["bounced"]) == (3, 1, 1)
    assert data["targets"][1]["waiting_for_approval"] == 1
    assert SUPPORTER not in response.content.decode()
    assert client.get("/api/v3/campaigns/999999/delivery/").status_code == 404


@pytest.fixture
def letter_endpoint(site, receiver):
    webhooks.endpoints_changed()
    return WebhookEndpoint.objects.create(
        site=site, name="CRM", url=receiver.url, letter_events=True
    )


def test_a_letter_accepted_then_bounced_is_posted_as_events_without_the_supporter(
    client,
    provider,  # noqa: F811
    water,
    minister,
    letter_endpoint,
    receiver,
    django_capture_on_commit_callbacks,
):
    owed = letter(water, minister, email=SUPPORTER)
    with django_capture_on_commit_callbacks(execute=True):
        delivery.deliver_letter(owed.pk)
    metadata = {"clarion": f"delivery:{owed.pk}"}
    with django_capture_on_commit_callbacks(execute=True):
        assert postmark(client, bounce(MINISTER, metadata), **AUTH).status_code == 200

    events = [json.loads(body) for _headers, body in receiver.requests]
    assert [event["event"] for event in events] == ["letter.accepted", "letter.bounced"]
    assert events[1]["letter"] | {"sent_at": None} == {
        "id": owed.pk,
        "state": "sent",
        "outcome": "bounced",
        "reason": "bounced; The server was unable to deliver your message.",
        "sent_at": None,
        "outcome_at": "2026-12-03T10:00:00+00:00",
    }
    assert events[1]["target"] == {"id": minister.pk, "name": "The Hon. Minister of Water"}
    assert events[1]["signature"] == {"id": owed.signature_id}
    assert all("supporter" not in event for event in events)
    assert SUPPORTER not in str(events)
    # Told once: the same report again owes nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        postmark(client, bounce(MINISTER, metadata), **AUTH)
    assert WebhookDelivery.objects.filter(letter=owed).count() == 2


def test_endpoints_that_did_not_ask_get_no_letter_events(
    site, water, minister, receiver, smtp_server, django_capture_on_commit_callbacks
):
    webhooks.endpoints_changed()
    WebhookEndpoint.objects.create(site=site, name="CRM", url=receiver.url)
    owed = letter(water, minister)
    with django_capture_on_commit_callbacks(execute=True):
        delivery.deliver_letter(owed.pk)
    assert receiver.requests == [] and not WebhookDelivery.objects.exists()


def test_a_letter_given_up_is_posted_as_failed(
    water, minister, letter_endpoint, receiver, django_capture_on_commit_callbacks
):
    owed = letter(water, minister)
    with django_capture_on_commit_callbacks(execute=True):
        delivery.give_up_letter(owed.pk, "SMTPDataError: 554 refused for good")
    [(_headers, body)] = receiver.requests
    assert json.loads(body)["event"] == "letter.failed"
    assert json.loads(body)["letter"]["reason"] == "SMTPDataError: 554 refused for good"
