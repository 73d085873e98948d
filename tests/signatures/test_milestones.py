"""Milestones (issue 33, point 4): crossing a threshold tells staff and sends each target one
message "N people have now written to you", exactly once per threshold, even when many
workers see it crossed at the same moment."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.urls import reverse
from django.utils import timezone

from campaigns.models.page import validate_milestones
from campaigns.progress import parse_milestones
from signatures.models import MilestoneCrossing, MilestoneMessage
from signatures.services import dispatch, milestones
from tests.factories import (
    CampaignPageFactory,
    DirectoryFactory,
    TargetFactory,
    representative,
    representative_campaign,
)
from tests.moderation.conftest import add_signature

MINISTER, DEPUTY = "minister@water.example.org", "deputy@water.example.org"
STAFF = "campaigns@org.example"
MPS = [("Ana Rep", "1000"), ("Bo Rep", "2000")]


def test_editors_write_milestones_as_they_read_them():
    assert parse_milestones("1,000; 10 000\n500;;") == [500, 1000, 10000]
    with pytest.raises(ValidationError, match="“ten” is not a whole number"):
        validate_milestones("100; ten")
    with pytest.raises(ValidationError):
        validate_milestones("0")


@pytest.fixture
def water(site, settings):
    settings.MANAGERS = [("Campaigns team", STAFF)]
    return CampaignPageFactory(
        parent=site.root_page,
        title="Free them",
        milestones="3; 100",
        targets=[
            TargetFactory(name="Minister", email=MINISTER),
            TargetFactory(name="Deputy", email=DEPUTY),
        ],
    )


def sent_to(address):
    return [message for message in mail.outbox if address in " ".join(message.to)]


def act(client, campaign, n, capture, **fields):
    with capture(execute=True):
        client.post(
            reverse("signatures:sign", args=[campaign.pk]),
            {
                "first_name": "Ana",
                "last_name": f"Okonjo{n}",
                "email": f"ana{n}@example.org",
                **fields,
            },
        )


@pytest.mark.django_db
def test_crossing_a_milestone_tells_staff_and_each_target_once(
    client, water, django_capture_on_commit_callbacks
):
    for n in range(2):
        act(client, water, n, django_capture_on_commit_callbacks)
    assert not MilestoneCrossing.objects.exists()
    for n in range(2, 5):  # the third action crosses 3; the next ones change nothing
        act(client, water, n, django_capture_on_commit_callbacks)

    crossing = MilestoneCrossing.objects.get()
    assert (crossing.threshold, crossing.count) == (3, 3)
    for address in (MINISTER, DEPUTY):
        [told] = [m for m in sent_to(address) if "have now written" in m.subject]
        assert told.subject == "3 people have now written to you: Free them"
        assert "3 people have now written to you about “Free them”" in told.body
        assert "/answer/" in told.body  # with the target's own link to answer
    [notice] = sent_to(STAFF)
    assert notice.subject == "Milestone reached: 3 on “Free them”"
    assert MilestoneMessage.objects.filter(sent_at__isnull=False).count() == 2


@pytest.mark.django_db
def test_on_a_representative_campaign_each_representative_written_to_is_told_once(
    client, site, settings, django_capture_on_commit_callbacks
):
    settings.MANAGERS = [("Campaigns team", STAFF)]
    directory = DirectoryFactory()
    ana, bo = (representative(directory, name, [code]) for name, code in MPS)
    representative(directory, "Cy Rep", ["3000"])  # nobody writes to Cy
    campaign = representative_campaign(site.root_page, directory, milestones="3", title="Rivers")
    for n, code in enumerate(["1000", "2000", "1000", "1000", "2000"]):  # 3 is crossed at n=2
        act(client, campaign, n, django_capture_on_commit_callbacks, postal_code=code)

    assert MilestoneCrossing.objects.get().threshold == 3
    [to_ana] = [m for m in sent_to(ana.email) if "written to you:" in m.subject]
    [to_bo] = [m for m in sent_to(bo.email) if "written to you:" in m.subject]
    # Each is told how many wrote to them (not the campaign's count), once.
    assert to_ana.subject == "2 people have now written to you: Rivers"
    assert to_bo.subject == "1 person has now written to you: Rivers"
    assert "1 person has now written to you about “Rivers”" in to_bo.body
    assert "/answer/" in to_ana.body and "/answer/" in to_bo.body  # each with its own link
    assert not sent_to("cy.rep@parliament.example.org")
    assert MilestoneMessage.objects.count() == 2 and len(sent_to(STAFF)) == 1


@pytest.mark.django_db
def test_a_message_a_lost_worker_never_sent_goes_once_with_the_sweep(water):
    crossing = MilestoneCrossing.objects.create(campaign_id=water.pk, threshold=3, count=3)
    long_ago = timezone.now() - timedelta(hours=1)
    MilestoneMessage.objects.create(crossing=crossing, target=water.targets[0], due_at=long_ago)
    MilestoneCrossing.objects.filter(pk=crossing.pk).update(notice_due_at=long_ago)

    dispatch.sweep_outbox()
    dispatch.sweep_outbox(timezone.now() + timedelta(days=1))
    assert len(sent_to(MINISTER)) == 1 and len(sent_to(STAFF)) == 1
    assert not MilestoneMessage.objects.filter(sent_at__isnull=True).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_many_workers_seeing_the_crossing_at_once_claim_it_once(site, settings):
    settings.MANAGERS = [("Campaigns team", STAFF)]
    campaign = CampaignPageFactory(
        parent=site.root_page,
        milestones="5",
        targets=[TargetFactory(email=MINISTER), TargetFactory(email=DEPUTY)],
    )
    for _ in range(5):
        add_signature(campaign)
    start = threading.Barrier(8)

    def worker(_n):
        try:
            with transaction.atomic():  # as dispatch_signature runs it
                start.wait(30)
                return milestones.check(campaign)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        claimed = list(pool.map(worker, range(8)))

    assert sorted(claimed) == [[]] * 7 + [[5]]
    assert MilestoneCrossing.objects.filter(campaign_id=campaign.pk).count() == 1
    assert MilestoneMessage.objects.count() == 2
    assert len(sent_to(MINISTER)) == 1 and len(sent_to(DEPUTY)) == 1
    assert len(sent_to(STAFF)) == 1
