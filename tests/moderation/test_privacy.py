"""Consent record, erasure, subject access and retention."""

import json
import logging
from datetime import timedelta

import pytest
from django.core.files.storage import storages
from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.models import ModelLogEntry

from signatures import counter
from signatures.models import (
    DataRequest,
    Delivery,
    ExportJob,
    Signature,
    WebhookDelivery,
    WebhookEndpoint,
)
from signatures.services import dispatch, export, moderation, privacy, redelivery, signing

from .conftest import add_signature

pytestmark = pytest.mark.django_db
URL = "/admin/signatures/data-requests/"
ADDRESS = "Ana.Okonjo+lakeside@Example.org"


def sign(campaign, email, consent=False):
    details = {"first_name": "Ana", "last_name": "Okonjo", "email": email, "consent": consent}
    return signing.record_signature(campaign, details, client_ip="198.51.100.7")[0]


def test_consent_is_recorded_with_its_wording_and_time(water):
    water.consent_text = "Keep me posted about the Lakeside Four."
    before = timezone.now()
    given = sign(water, "yes@example.org", consent=True)
    refused = sign(water, "no@example.org", consent=False)
    given.refresh_from_db(), refused.refresh_from_db()
    assert given.consent_text == "Keep me posted about the Lakeside Four."
    assert before <= given.consent_at <= timezone.now()
    assert (refused.consent_text, refused.consent_at) == ("", None)
    assert given.ip_address == "198.51.100.7"


def test_the_sign_view_records_the_ip_address(client, water):
    client.post(
        f"/act/{water.pk}/",
        {"first_name": "Ana", "last_name": "Okonjo", "email": "ip@example.org"},
        REMOTE_ADDR="192.0.2.44",
    )
    assert Signature.objects.get(email="ip@example.org").ip_address == "192.0.2.44"


@pytest.fixture
def supporter(water, press):
    """One supporter in two campaigns (their address written differently), plus another."""
    rows = [sign(water, "ana.okonjo@example.org", consent=True), sign(press, ADDRESS)]
    for row in rows:
        Delivery.objects.update_or_create(
            signature=row,
            target=row.campaign.specific.targets[0],
            defaults={"state": Delivery.State.FAILED, "last_error": "550 ana.okonjo@example.org"},
        )
    other = sign(water, "bo@example.org")
    return rows, other


def test_erasure_anonymises_the_supporter_everywhere_and_keeps_the_counts(
    moderator, moderator_client, supporter, water, press, caplog
):
    rows, other = supporter
    counts = counter.displayed_count(water), counter.displayed_count(press)
    statuses = [row.status for row in rows]

    with caplog.at_level(logging.DEBUG):
        response = moderator_client.post(
            URL, {"email": "ANA.OKONJO@example.org", "action": "erase", "confirm": "on"}
        )

    assert response.status_code == 302
    for row in rows:
        row.refresh_from_db()
        assert (row.first_name, row.last_name, row.postal_code, row.ip_address) == (
            "",
            "",
            "",
            None,
        )
        assert "okonjo" not in row.email.lower() and "okonjo" not in row.email_key
        assert row.anonymised_at is not None
    assert [row.status for row in rows] == statuses
    assert list(
        Delivery.objects.filter(signature__in=rows).values_list("last_error", flat=True)
    ) == [
        "",
        "",
    ]
    other.refresh_from_db()
    assert other.email == "bo@example.org"
    counter.changed(water.pk), counter.changed(press.pk)
    assert (counter.displayed_count(water), counter.displayed_count(press)) == counts

    record = DataRequest.objects.get()
    assert (record.kind, record.requested_by, record.signatures) == ("erasure", moderator, 2)
    assert record.address_hash == privacy.address_hash(ADDRESS)
    assert "okonjo" not in record.address_hash
    entry = ModelLogEntry.objects.get(action="clarion.privacy.erase")
    assert entry.user == moderator and "okonjo" not in json.dumps(entry.data).lower()
    assert "okonjo" not in caplog.text.lower()


def test_erasure_needs_a_confirmation_and_a_valid_address(moderator_client, supporter):
    unconfirmed = moderator_client.post(URL, {"email": ADDRESS, "action": "erase"})
    invalid = moderator_client.post(URL, {"email": "not an address", "action": "erase"})
    assert (unconfirmed.status_code, invalid.status_code) == (400, 400)
    assert "Tick this box to confirm the erasure." in unconfirmed.content.decode()
    assert "Enter a valid email address." in invalid.content.decode()
    assert not Signature.objects.filter(anonymised_at__isnull=False).exists()


def test_an_address_in_the_url_does_nothing(moderator_client, supporter):
    response = moderator_client.get(URL, {"email": ADDRESS, "action": "erase", "confirm": "on"})
    assert response.status_code == 200
    assert not Signature.objects.filter(anonymised_at__isnull=False).exists()


def test_what_had_not_gone_out_at_erasure_never_goes_out(water, moderator):
    signature = add_signature(water, email="late@example.org")
    letter = Delivery.objects.create(signature=signature, target=water.targets[0])
    endpoint = WebhookEndpoint.objects.create(
        site=water.get_site(), name="CRM", url="http://127.0.0.1:9/"
    )
    post = WebhookDelivery.objects.create(endpoint=endpoint, signature=signature)

    privacy.erase_supporter("late@example.org", moderator)

    letter.refresh_from_db()
    post.refresh_from_db()
    assert (letter.state, letter.last_error) == ("withheld", privacy.WITHHELD)
    assert (post.state, post.last_error) == ("failed", privacy.WITHHELD)
    assert redelivery.retry_letters([letter.pk], moderator) == 0  # nor can a moderator send it
    # Nor does approving it: an erased supporter's signature cannot be counted anew.
    Signature.objects.filter(pk=signature.pk).update(status=Signature.Status.REJECTED)
    assert moderation.set_status([signature.pk], Signature.Status.COUNTED, moderator) == 0
    dispatch.dispatch_signature(signature.pk)
    letter.refresh_from_db()
    assert letter.state == "withheld"


def test_anonymised_rows_keep_the_one_signature_per_supporter_rule(water, moderator):
    sign(water, "twice@example.org")
    privacy.erase_supporter("twice@example.org", moderator)
    again = sign(water, "twice@example.org")  # the supporter may act again
    privacy.erase_supporter("twice@example.org", moderator)
    assert Signature.objects.filter(campaign=water, anonymised_at__isnull=False).count() == 2
    assert again.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        sign(water, "dup@example.org")
        Signature.objects.create(campaign=water, email="d@x.org", email_key="dup@example.org")


def test_subject_access_exports_everything_held_about_the_address(
    moderator, moderator_client, supporter
):
    response = moderator_client.post(URL, {"email": ADDRESS, "action": "access"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "okonjo" not in disposition.lower()
    document = json.loads(response.content)
    [given] = document["signatures"]
    assert (given["campaign"], given["email"]) == ("Press", ADDRESS)
    assert given["ip_address"] == "198.51.100.7"
    assert len(given["deliveries"]) == 1 and given["deliveries"][0]["target"]
    assert "bo@example.org" not in response.content.decode()
    record = DataRequest.objects.get()
    assert (record.kind, record.requested_by, record.signatures) == ("access", moderator, 1)
    assert ModelLogEntry.objects.filter(action="clarion.privacy.access", user=moderator).exists()


def test_subject_access_discloses_only_what_was_given_with_that_very_mailbox(moderator, supporter):
    [consenting, tagged], _ = supporter  # ana.okonjo@ and Ana.Okonjo+lakeside@ example.org

    document = privacy.subject_access("ANA.OKONJO@example.org", moderator)

    [given] = document["signatures"]
    assert (given["campaign"], given["email"]) == ("Water", "ana.okonjo@example.org")
    assert given["consent"] is True and given["consent_text"]
    assert tagged.email not in json.dumps(document, cls=privacy.JSON_ENCODER)


def test_subject_access_at_a_provider_that_delivers_tags_finds_every_spelling(
    water, press, moderator
):
    sign(water, "a.na+petitions@gmail.com")
    sign(press, "ana@googlemail.com")

    document = privacy.subject_access("Ana@gmail.com", moderator)

    assert {entry["campaign"] for entry in document["signatures"]} == {"Water", "Press"}


def test_subject_access_lists_the_systems_the_action_was_posted_to(water, moderator):
    endpoint = WebhookEndpoint.objects.create(
        site=water.get_site(), name="CRM sync", url="https://crm.example.org/hook", secret="s" * 32
    )
    signature = sign(water, "crm@example.org")
    WebhookDelivery.objects.create(endpoint=endpoint, signature=signature)

    [given] = privacy.subject_access("crm@example.org", moderator)["signatures"]

    assert [(sent["system"], sent["state"]) for sent in given["sent_to_systems"]] == [
        ("CRM sync", "pending")
    ]


def test_retention_anonymises_only_campaigns_closed_long_enough_ago(
    settings, water, press, moderator
):
    settings.CLARION_RETENTION_MONTHS = 6
    now = timezone.now()
    water.closes_at = now - timedelta(days=200)  # closed more than six months ago
    water.save(update_fields=["closes_at"])
    press.closes_at = now - timedelta(days=100)
    press.save(update_fields=["closes_at"])
    old = [add_signature(water, status=status) for status in Signature.Status.values]
    recent = add_signature(press)
    counted_before = Signature.objects.filter(campaign=water).counted().count()

    from signatures.tasks import apply_retention_task

    apply_retention_task.delay()

    for row in old:
        row.refresh_from_db()
        assert row.anonymised_at and row.first_name == "" and "@anonymised.invalid" in row.email
    assert sorted(row.status for row in old) == sorted(Signature.Status.values)
    assert Signature.objects.filter(campaign=water).counted().count() == counted_before
    recent.refresh_from_db()
    assert recent.anonymised_at is None and recent.first_name
    assert privacy.anonymise_expired() == 0  # nothing left to do


@pytest.mark.postgres
def test_retention_anonymises_actions_on_an_open_ended_campaign_the_period_after_each(
    settings, water
):
    settings.CLARION_RETENTION_MONTHS = 6
    assert water.closes_at is None  # open until someone sets a date
    now = timezone.now()
    old = [add_signature(water, status=status) for status in Signature.Status.values]
    old += [add_signature(water) for _ in range(2)]
    recent = add_signature(water)
    Signature.objects.filter(pk__in=[row.pk for row in old]).update(
        created_at=now - timedelta(days=190)  # more than six months ago
    )
    recent.created_at = now - timedelta(days=170)
    recent.save(update_fields=["created_at"])
    counted_before = Signature.objects.filter(campaign=water).counted().count()
    shown_before = water.action_count()

    assert privacy.anonymise_expired(batch_size=2) == len(old)  # in several batches

    for row in old:
        row.refresh_from_db()
        assert row.anonymised_at and row.last_name == "" and "@anonymised.invalid" in row.email
    recent.refresh_from_db()
    assert recent.anonymised_at is None and recent.email.endswith("@example.org")
    assert Signature.objects.filter(campaign=water).counted().count() == counted_before
    counter.changed(water.pk)  # whatever the counter kept, it counts the rows again
    assert water.action_count() == shown_before


@pytest.mark.postgres
def test_retention_folds_the_tags_of_old_view_counts_and_keeps_their_views(settings, water):
    from insights import page_views
    from insights.models import PageViewDay

    settings.CLARION_RETENTION_MONTHS = 6
    today = timezone.localdate()
    for day, value in ((today - timedelta(days=200), "newsletter"), (today, "newsletter")):
        for dimension in ("source", "utm_campaign", "language"):
            PageViewDay.objects.create(
                campaign=water, day=day, dimension=dimension, value=value, views=5
            )

    privacy.anonymise_expired()

    old = PageViewDay.objects.filter(day__lt=today).values_list("dimension", "value", "views")
    assert sorted(old) == [
        ("language", "newsletter", 5),  # not a tag: kept
        ("source", page_views.OTHER, 5),
        ("utm_campaign", page_views.OTHER, 5),
    ]
    assert PageViewDay.objects.filter(day=today, value="newsletter").count() == 3


def test_erasure_deletes_the_exports_already_written(water, moderator):
    sign(water, "gone@example.org")
    job = export.start_export(moderator, "", 1)
    export.write_export(job.pk)
    name = ExportJob.objects.get(pk=job.pk).file_name
    assert b"gone@example.org" in storages["exports"].open(name).read()

    privacy.erase_supporter("gone@example.org", moderator)

    assert not storages["exports"].exists(name)
    assert not ExportJob.objects.filter(pk=job.pk).exists()
