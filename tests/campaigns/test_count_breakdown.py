"""A count anyone can check: the page and the API split the count into what counts, what
awaits email confirmation and what moderation removed (numbers per day and reason, never
people), with the campaign's own note on how it counts."""

import datetime

import pytest
from django.utils import timezone

from signatures import count_breakdown
from signatures.models import Signature
from signatures.services import moderation
from tests.factories import CampaignPageFactory, translate
from tests.moderation.conftest import add_signature, make_user

NOTE = "Each address counts once; we remove automated sign-ups."
NOTE_FR = "Chaque adresse compte une fois ; nous retirons les inscriptions automatisées."
HEADING = "How this count is made up"


@pytest.fixture
def checked(site):
    return CampaignPageFactory(
        parent=site.root_page, count_breakdown=True, count_note=NOTE, counter_offset=40
    )


@pytest.fixture
def staff(db):
    return make_user("mona", superuser=True)


def moderate(campaign, rows, status, user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        moderation.set_status([row.pk for row in rows], status, user)


def on(day_offset):
    return timezone.now() - datetime.timedelta(days=day_offset)


@pytest.fixture
def moderated(checked, staff, django_capture_on_commit_callbacks):
    """5 counted, 2 awaiting confirmation, 3 rejected (2 of them yesterday) and 1 spam."""
    rows = [add_signature(checked) for _ in range(11)]
    for row in rows[5:7]:
        row.status = Signature.Status.PENDING
        row.save()
    moderate(
        checked, rows[7:10], Signature.Status.REJECTED, staff, django_capture_on_commit_callbacks
    )
    moderate(checked, rows[10:], Signature.Status.SPAM, staff, django_capture_on_commit_callbacks)
    Signature.objects.filter(pk__in=[rows[7].pk, rows[8].pk]).update(removed_at=on(1))
    count_breakdown.changed(checked.pk)
    return rows


def test_the_breakdown_adds_up_to_the_count_and_lists_removals_per_day_and_reason(
    checked, moderated
):
    parts = count_breakdown.breakdown(checked)
    today, yesterday = timezone.now().date(), on(1).date()
    assert (parts.counted, parts.gathered_elsewhere, parts.shown) == (5, 40, 45)
    assert parts.shown == checked.action_count()
    assert (parts.awaiting_confirmation, parts.removed) == (2, 4)
    assert [(r.day, r.reason, r.count) for r in parts.removals] == [
        (today, "rejected", 1),
        (today, "spam", 1),
        (yesterday, "rejected", 2),
    ]


def test_approving_again_takes_a_removal_back_and_relabelling_keeps_its_day(
    checked, moderated, staff, django_capture_on_commit_callbacks
):
    moderate(
        checked, moderated[10:], Signature.Status.COUNTED, staff, django_capture_on_commit_callbacks
    )
    moderate(
        checked, moderated[7:8], Signature.Status.SPAM, staff, django_capture_on_commit_callbacks
    )
    parts = count_breakdown.breakdown(checked)  # moderation made it again: no stale copy
    assert parts.counted == 6
    assert Signature.objects.get(pk=moderated[10].pk).removed_at is None
    assert [(r.day, r.reason, r.count) for r in parts.removals] == [
        (timezone.now().date(), "rejected", 1),
        (on(1).date(), "rejected", 1),
        (on(1).date(), "spam", 1),
    ]


def test_removals_from_before_days_were_recorded_come_last_without_a_day(checked, moderated):
    Signature.objects.filter(pk=moderated[10].pk).update(removed_at=None)
    count_breakdown.changed(checked.pk)
    assert count_breakdown.breakdown(checked).removals[-1] == count_breakdown.Removal(
        None, "spam", 1
    )


def test_the_page_shows_the_breakdown_and_the_note_but_no_supporter(client, checked, moderated):
    html = client.get(checked.url).content.decode()
    assert HEADING in html
    assert NOTE in html
    assert "Awaiting email confirmation (not counted yet)</dt><dd>2</dd>" in html
    assert "Removed by moderation (not counted)</dt><dd>4</dd>" in html
    assert "Gathered elsewhere (paper, before launch)</dt><dd>40</dd>" in html
    assert "<td>rejected by a moderator</td><td>2</td>" in html
    for row in moderated:
        assert row.email not in html and row.last_name not in html


def test_a_campaign_shows_no_breakdown_unless_its_editors_choose_to(client, campaign):
    add_signature(campaign, status=Signature.Status.PENDING)
    assert HEADING not in client.get(campaign.url).content.decode()
    assert client.get(f"/api/v3/campaigns/{campaign.pk}/").json()["counter"]["breakdown"] is None


def test_the_french_page_shows_its_own_note_and_french_labels(client, checked, moderated):
    french = translate(checked, "fr", count_note=NOTE_FR)
    html = client.get(french.url).content.decode()
    assert NOTE_FR in html and NOTE not in html
    assert "Comment ce nombre est établi" in html
    assert "rejetée par la modération" in html


def test_the_api_gives_the_same_numbers_in_the_campaigns_language(client, checked, moderated):
    french = translate(checked, "fr", count_note=NOTE_FR)
    for path in (f"/api/v3/campaigns/{checked.pk}/", f"/api/v3/campaigns/{checked.pk}/counter/"):
        data = client.get(path).json()
        counter = data.get("counter", data)
        breakdown = counter["breakdown"]
        assert counter["count"] == breakdown["counted"] + breakdown["gathered_elsewhere"] == 45
        assert (breakdown["awaiting_confirmation"], breakdown["removed"]) == (2, 4)
        assert breakdown["note"] == NOTE
        assert breakdown["removals"][-1] == {
            "day": on(1).date().isoformat(),
            "reason": "rejected",
            "reason_label": "rejected by a moderator",
            "count": 2,
        }
        assert "@" not in str(breakdown)
    breakdown = client.get(f"/api/v3/campaigns/{french.pk}/").json()["counter"]["breakdown"]
    assert breakdown["note"] == NOTE_FR
    assert breakdown["removals"][-1]["reason_label"] == ("rejetée par la modération")
