"""Updates to supporters (issue 33, point 5): a published staff update or target's answer
reaches each supporter who agreed to hear back, once, in the language of the page they
signed, never a suppressed, erased or unsubscribed one; staff pause and resume."""

import socket
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from signatures.models import TargetReply, UpdateMailing, UpdateRecipient
from signatures.services import privacy, tracking, updates
from tests.factories import TargetFactory, translate
from tests.moderation.conftest import add_signature, make_user

from .conftest import UNSUBSCRIBE, committed, mailed_to, publish_update

pytestmark = pytest.mark.django_db


def test_a_published_update_reaches_each_consenting_counted_supporter_once(campaign, supporters):
    update = publish_update(campaign)

    assert mailed_to() == ["ana@example.org", "bo@example.org"]
    message = next(m for m in mail.outbox if m.to == ["ana@example.org"])
    assert message.subject == f"{campaign.title}: The minister agreed to meet us"
    assert "Hello Ana," in message.body and "We meet on Monday." in message.body
    assert "only this one" in message.body
    link = UNSUBSCRIBE.search(message.body).group(0)
    assert message.extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "ana" not in link and str(supporters["ana"].pk) not in link.rsplit("/", 3)[-3:-1]
    mailing = UpdateMailing.objects.get(update=update)
    assert mailing.state == UpdateMailing.State.DONE
    assert updates.progress(mailing) | {} == {
        "queued": 0,
        "sent": 2,
        "failed": 0,
        "unsubscribed": 0,
        "suppressed": 0,
        "withdrawn": 0,
    }

    update.body = "We meet on Tuesday."  # edited and published again: no second email
    with committed():
        update.save_revision().publish()
    assert len(mail.outbox) == 2


def test_each_supporter_hears_in_the_language_of_the_page_they_signed(campaign):
    french = translate(campaign, "fr", title="Libérez-les")
    add_signature(campaign, email="ana@example.org", first_name="Ana", consent=True)
    add_signature(
        campaign, email="zoe@example.org", first_name="Zoé", consent=True, page_language="fr"
    )

    publish_update(french)  # an update written on either translation reaches both

    by_address = {message.to[0]: message for message in mail.outbox}
    assert "Hello Ana," in by_address["ana@example.org"].body
    zoe = by_address["zoe@example.org"]
    assert zoe.subject.startswith("Libérez-les: ")
    assert "Bonjour Zoé," in zoe.body
    assert "uniquement celle-ci" in zoe.body
    assert "/fr/updates/stop/" in zoe.body


def test_a_published_answer_is_sent_to_supporters_once(campaign, supporters):
    minister = TargetFactory(name="Minister of Water")
    reply = TargetReply.objects.create(
        campaign=campaign, target=minister, body="We will review the case.", live=False
    )
    assert not mail.outbox  # a draft sends nothing

    with committed():
        reply.save_revision().publish()
        reply.unpublish()
        reply.save_revision().publish()

    assert mailed_to() == ["ana@example.org", "bo@example.org"]
    assert mail.outbox[0].subject == f"{minister} has answered: {campaign.title}"
    assert "We will review the case." in mail.outbox[0].body


def test_suppressed_erased_and_unconsenting_supporters_are_never_emailed(campaign, supporters):
    tracking.suppress("bo@example.org", "complained")
    privacy.erase_supporter("rejected@example.org", make_user("dpo", superuser=True))
    gone = add_signature(campaign, email="gone@example.org", consent=True)
    privacy.erase_supporter("gone@example.org", make_user("dpo2", superuser=True))

    mailing = UpdateMailing.objects.get(update=publish_update(campaign))

    assert mailed_to() == ["ana@example.org"]
    assert updates.progress(mailing)["suppressed"] == 1
    assert not UpdateRecipient.objects.filter(signature=gone).exists()  # erased: never queued


def test_under_surge_mode_updates_wait_and_who_is_erased_meanwhile_is_skipped(
    campaign, supporters, settings
):
    settings.CLARION_SURGE_MODE = True
    mailing = UpdateMailing.objects.get(update=publish_update(campaign))
    assert not mail.outbox and updates.progress(mailing)["queued"] == 2
    assert updates.sweep() == (0, 0)  # the sweeper leaves it too

    privacy.erase_supporter("bo@example.org", make_user("dpo", superuser=True))
    settings.CLARION_SURGE_MODE = False
    updates.send_batch(mailing.pk)

    assert mailed_to() == ["ana@example.org"]
    assert updates.progress(mailing)["withdrawn"] == 1


def test_staff_pause_and_resume_a_sending(client, campaign, supporters, settings):
    settings.CLARION_SURGE_MODE = True  # hold the senders while the mailing is paused
    mailing = UpdateMailing.objects.get(update=publish_update(campaign))
    moderator = make_user("maud", "Moderators")
    client.force_login(moderator)
    url = reverse("delivery_admin:update_pause_or_resume", args=[mailing.pk])

    assert client.post(url, {"action": "pause"}).status_code == 302
    settings.CLARION_SURGE_MODE = False
    assert updates.send_batch(mailing.pk) == 0 and not mail.outbox

    with committed():
        client.post(url, {"action": "resume"})
    assert mailed_to() == ["ana@example.org", "bo@example.org"]
    mailing.refresh_from_db()
    assert mailing.state == UpdateMailing.State.DONE


def test_a_refused_address_fails_alone_and_a_server_away_holds_the_mailing(
    campaign, supporters, smtp_server, settings
):
    settings.CLARION_SURGE_MODE = True
    mailing = UpdateMailing.objects.get(update=publish_update(campaign))
    settings.CLARION_SURGE_MODE = False
    smtp_server.refuse("ana@example.org", code=550)

    updates.send_batch(mailing.pk)

    assert updates.progress(mailing) | {} == updates.progress(mailing) | {"failed": 1, "sent": 1}
    assert [m["To"] for m in smtp_server.messages] == ["bo@example.org"]


def test_a_server_away_for_long_holds_the_mailing_and_gives_up_nobody(
    campaign, supporters, smtp_server, settings
):
    settings.CLARION_SURGE_MODE = True
    mailing = UpdateMailing.objects.get(update=publish_update(campaign))
    settings.CLARION_SURGE_MODE = False
    with socket.socket() as closed:  # a port nothing listens on: connections refused
        closed.bind(("127.0.0.1", 0))
        settings.EMAIL_PORT = closed.getsockname()[1]

    for _ in range(3 * updates.MAX_ATTEMPTS):  # the sweeper's retries through a long outage
        updates.send_batch(mailing.pk)

    assert updates.progress(mailing) | {} == updates.progress(mailing) | {"queued": 2}
    mailing.refresh_from_db()
    assert mailing.state == UpdateMailing.State.SENDING
    assert mailing.due_at > timezone.now()  # held: the sweeper waits before trying again
    settings.EMAIL_PORT = smtp_server.port  # back
    updates.send_batch(mailing.pk)
    assert sorted(m["To"] for m in smtp_server.messages) == ["ana@example.org", "bo@example.org"]
    assert updates.progress(mailing) | {} == updates.progress(mailing) | {"sent": 2, "failed": 0}


def test_an_email_the_server_keeps_deferring_is_given_up_once_the_next_one_gets_through(
    campaign, supporters, smtp_server, settings
):
    settings.CLARION_SURGE_MODE = True
    mailing = UpdateMailing.objects.get(update=publish_update(campaign))
    settings.CLARION_SURGE_MODE = False
    smtp_server.defer("ana@example.org")  # 451 to her message alone, every time

    for _ in range(updates.MAX_ATTEMPTS - 1):
        updates.send_batch(mailing.pk)
    assert updates.progress(mailing)["queued"] == 2  # the server might be away: all wait
    updates.send_batch(mailing.pk)

    assert [m["To"] for m in smtp_server.messages] == ["bo@example.org"]
    assert updates.progress(mailing) | {} == updates.progress(mailing) | {"sent": 1, "failed": 1}
    mailing.refresh_from_db()
    assert mailing.state == UpdateMailing.State.DONE


def test_the_sweeper_starts_again_a_sending_its_senders_left(campaign, supporters, settings):
    settings.CLARION_SURGE_MODE = True  # queued, then left: as if its worker was killed
    mailing = UpdateMailing.objects.get(update=publish_update(campaign))
    settings.CLARION_SURGE_MODE = False
    assert updates.sweep() == (0, 0)  # its senders were seen just now: left alone
    assert updates.progress(mailing)["queued"] == 2

    later = timezone.now() + updates.GRACE + timedelta(seconds=1)
    assert updates.sweep(now=later) == (0, 1)

    assert mailed_to() == ["ana@example.org", "bo@example.org"]
    assert updates.sweep(now=later) == (0, 0)  # done: nothing more to start
