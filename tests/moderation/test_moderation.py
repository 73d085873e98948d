"""Bulk status changes and invalidation by rule: the right rows, the counter exact, logged."""

from datetime import timedelta

import pytest
from django.utils import timezone
from wagtail.models import PageLogEntry

from signatures import counter, log_actions
from signatures.models import Delivery, Signature
from signatures.services import moderation, signing

from .conftest import add_signature

pytestmark = pytest.mark.django_db
Status = Signature.Status
BULK_URL = "/admin/signatures/bulk/"
INVALIDATE_URL = "/admin/signatures/invalidate/"


def statuses(*signatures):
    return [Signature.objects.get(pk=s.pk).status for s in signatures]


def test_rejecting_a_selection_updates_the_counter_and_withholds_their_letters(
    moderator_client, water, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signed = [
            signing.record_signature(
                water, {"first_name": "A", "last_name": "B", "email": f"s{i}@example.org"}
            )[0]
            for i in range(3)
        ]
    Delivery.objects.filter(signature=signed[2]).update(state=Delivery.State.PENDING)
    Delivery.objects.filter(signature__in=signed[:2]).update(state=Delivery.State.PENDING)
    assert counter.displayed_count(water) == 3  # cached from now on

    with django_capture_on_commit_callbacks(execute=True):
        response = moderator_client.post(
            BULK_URL,
            {
                "signature": [signed[0].pk, signed[1].pk],
                "status": Status.REJECTED,
                "next": "/admin/",
            },
        )

    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert statuses(*signed) == [Status.REJECTED, Status.REJECTED, Status.COUNTED]
    assert counter.displayed_count(water) == 1
    withheld = Delivery.objects.filter(signature__in=signed[:2])
    assert {d.state for d in withheld} == {Delivery.State.WITHHELD}
    assert all("Withheld" in d.last_error for d in withheld)
    assert Delivery.objects.get(signature=signed[2]).state == Delivery.State.PENDING


@pytest.mark.parametrize("status", [Status.COUNTED, Status.REJECTED, Status.SPAM])
def test_each_bulk_action_sets_its_status_and_is_logged(
    moderator, moderator_client, water, press, status, django_capture_on_commit_callbacks
):
    start = Status.SPAM if status == Status.COUNTED else Status.COUNTED
    rows = [add_signature(water, status=start), add_signature(press, status=start)]
    untouched = add_signature(water, status=start)
    counter.displayed_count(water), counter.displayed_count(press)  # warm the cache

    with django_capture_on_commit_callbacks(execute=True):
        moderator_client.post(BULK_URL, {"signature": [r.pk for r in rows], "status": status})

    assert statuses(*rows, untouched) == [status, status, start]
    # Approving: the selected water row now counts. Otherwise: only the untouched one does.
    assert counter.displayed_count(water) == 1
    entries = PageLogEntry.objects.filter(action=moderation.ACTIONS[status])
    assert sorted((e.page_id, e.user_id, e.data["count"]) for e in entries) == sorted(
        [(water.pk, moderator.pk, 1), (press.pk, moderator.pk, 1)]
    )


def test_approving_leaves_unconfirmed_and_erased_signatures_as_they_are_and_says_so(
    moderator_client, water
):
    rejected = add_signature(water, status=Status.REJECTED)
    unconfirmed = add_signature(water, status=Status.PENDING)
    erased = add_signature(water, status=Status.SPAM, anonymised_at=timezone.now())

    response = moderator_client.post(
        BULK_URL,
        {"signature": [rejected.pk, unconfirmed.pk, erased.pk], "status": Status.COUNTED},
        follow=True,
    )

    assert statuses(rejected, unconfirmed, erased) == [Status.COUNTED, Status.PENDING, Status.SPAM]
    said = [str(message) for message in response.context["messages"]]
    assert (
        "2 signatures were left as they are: they await their supporters' confirmation, "
        "or their supporters' details were erased." in said
    )
    assert "1 signature is now counted." in said


def test_a_bulk_action_without_a_selection_says_so(moderator_client, water):
    response = moderator_client.post(BULK_URL, {"status": Status.REJECTED}, follow=True)
    assert "Select at least one signature." in response.content.decode()


def test_an_unknown_status_changes_nothing(moderator_client, water):
    row = add_signature(water)
    moderator_client.post(BULK_URL, {"signature": [row.pk], "status": "deleted"})
    assert statuses(row) == [Status.COUNTED]


@pytest.mark.parametrize("bad_id", [str(2**63), "99999999999999999999999", "²", "-1"])
def test_an_impossible_id_is_refused_with_a_message(moderator_client, water, bad_id):
    row = add_signature(water)
    response = moderator_client.post(
        BULK_URL, {"signature": [row.pk, bad_id], "status": Status.SPAM}, follow=True
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert statuses(row) == [Status.COUNTED]


def test_moderation_redirects_only_to_this_site(moderator_client, water):
    row = add_signature(water)
    response = moderator_client.post(
        BULK_URL, {"signature": [row.pk], "status": Status.SPAM, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/admin/signatures/signature/"


@pytest.fixture
def mixed(water, press):
    """Signatures that differ in exactly one respect each from the rule's target."""
    now = timezone.now()
    rows = {
        "spam_domain": add_signature(water, email="bot1@spam.example", ip_address="203.0.113.9"),
        "spam_domain_2": add_signature(press, email="Bot2@SPAM.example"),
        "other_domain": add_signature(water, email="human@nospam.example"),
        "same_ip": add_signature(press, email="x@example.org", ip_address="203.0.113.9"),
        "other_ip": add_signature(water, email="y@example.org", ip_address="203.0.113.10"),
    }
    Signature.objects.filter(pk=rows["other_ip"].pk).update(created_at=now - timedelta(days=10))
    return rows


@pytest.mark.parametrize(
    "rule, expected",
    [
        ({"email_domain": "spam.example"}, {"spam_domain", "spam_domain_2"}),
        ({"email_domain": "@Spam.Example"}, {"spam_domain", "spam_domain_2"}),
        ({"ip_address": "203.0.113.9"}, {"spam_domain", "same_ip"}),
        ({"signed_until": "past"}, {"other_ip"}),
        ({"signed_from": "today"}, {"spam_domain", "spam_domain_2", "other_domain", "same_ip"}),
        ({"campaign": "press"}, {"spam_domain_2", "same_ip"}),
        ({"campaign": "press", "email_domain": "spam.example"}, {"spam_domain_2"}),
    ],
)
def test_invalidation_previews_then_changes_exactly_the_matching_rows(
    moderator_client, mixed, water, press, rule, expected, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    values = {"past": str(today - timedelta(days=5)), "today": str(today)}
    data = {key: values.get(value, value) for key, value in rule.items()}
    if "campaign" in data:
        data["campaign"] = {"press": press.pk, "water": water.pk}[data["campaign"]]
    data["status"] = Status.SPAM
    counter.displayed_count(water), counter.displayed_count(press)

    preview = moderator_client.post(INVALIDATE_URL, data)
    assert preview.status_code == 200
    assert f"This will change {len(expected)} signature" in preview.content.decode()
    assert Signature.objects.filter(status=Status.SPAM).count() == 0  # nothing yet

    with django_capture_on_commit_callbacks(execute=True):
        done = moderator_client.post(INVALIDATE_URL, data | {"confirm": str(len(expected))})

    assert done.status_code == 302
    spam = set(Signature.objects.filter(status=Status.SPAM).values_list("pk", flat=True))
    assert spam == {mixed[name].pk for name in expected}
    for campaign in (water, press):
        assert (
            counter.displayed_count(campaign)
            == Signature.objects.filter(campaign=campaign, status=Status.COUNTED).count()
        )
    logged = PageLogEntry.objects.filter(action=log_actions.INVALIDATE)
    assert sum(entry.data["count"] for entry in logged) == len(expected)


def test_invalidation_leaves_what_a_moderator_already_labelled(moderator, water):
    rejected = add_signature(water, email="a@bots.example", status=Status.REJECTED)
    pending = add_signature(water, email="b@bots.example", status=Status.PENDING)
    counted = add_signature(water, email="c@bots.example")
    rule = moderation.Rule(email_domain="bots.example")

    assert moderation.preview(rule, Status.SPAM) == 2
    assert moderation.invalidate(rule, moderator, Status.SPAM) == 2

    assert statuses(rejected, pending, counted) == [Status.REJECTED, Status.SPAM, Status.SPAM]


def test_a_confirmation_for_a_stale_preview_runs_nothing(moderator_client, mixed):
    data = {"email_domain": "spam.example", "status": Status.REJECTED, "confirm": "1"}
    response = moderator_client.post(INVALIDATE_URL, data)  # 2 match now, not 1
    assert response.status_code == 200
    assert "This will change 2 signatures" in response.content.decode()
    assert not Signature.objects.filter(status=Status.REJECTED).exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"status": Status.REJECTED}, "Give at least one condition"),
        ({"email_domain": "not a domain", "status": Status.REJECTED}, "Enter a domain name"),
        ({"ip_address": "999.1.1.1", "status": Status.REJECTED}, "valid IPv4 or IPv6"),
        (
            {"signed_from": "2026-05-02", "signed_until": "2026-05-01", "status": Status.REJECTED},
            "The end date is before the start date.",
        ),
    ],
)
def test_a_bad_rule_is_a_clear_400(moderator_client, mixed, data, message):
    response = moderator_client.post(INVALIDATE_URL, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Signature.objects.filter(status=Status.COUNTED).count() == len(mixed)


def test_the_log_records_who_what_and_how_many_and_the_admin_shows_it(
    client, water, moderator, mixed
):
    from tests.moderation.conftest import make_user

    rule = moderation.Rule(campaign_id=water.pk, email_domain="spam.example")
    moderation.invalidate(rule, moderator)
    entry = PageLogEntry.objects.get(action=log_actions.INVALIDATE, page=water)
    assert (entry.user, entry.data["count"], entry.data["rule"]) == (
        moderator,
        1,
        {"campaign_id": str(water.pk), "email_domain": "spam.example"},
    )
    assert entry.timestamp is not None

    client.force_login(make_user("root", superuser=True))
    html = client.get("/admin/reports/site-history/").content.decode()
    # In words, not the rule's keys and ids.
    assert "Invalidated 1 signature (this campaign, email domain: spam.example)" in html
    assert "Invalidate signatures" in html


def test_the_log_never_shows_an_ip_address(moderator, mixed):
    moderation.invalidate(moderation.Rule(ip_address="203.0.113.9"), moderator)
    for entry in PageLogEntry.objects.filter(action=log_actions.INVALIDATE):
        assert "203.0.113" not in str(entry.data) and "203.0.113" not in entry.message
