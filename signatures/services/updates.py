"""Updates to supporters: when a staff update or a target's answer is published, each
supporter of the campaign who agreed to hear back gets one email, in the language of the
page they signed.

Publishing makes one mailing per update or answer (a unique key: publishing again sends
nothing). A worker then writes its recipients in one INSERT ... SELECT (`queue_recipients`):
every counted, consenting, not anonymised supporter of every translation. Senders take the
queued rows one at a time (`FOR UPDATE SKIP LOCKED`, so any number of them share a
mailing) and send each as letters are sent (delivery.py): marked sent in the transaction
that hands it to the mail server, committed right after the 250. So each supporter gets
each update once, but for a worker killed in the instant between the 250 and the commit
(docs/testing.md). Whoever unsubscribed, or whose address is suppressed, erased or no
longer counted when their turn comes, is skipped, and the row says why.

Each sender works through BATCH rows, then enqueues its successor by name; CHAINS senders
run at once. A mailing paused stops at the next row; resumed, it starts its senders again.
Under surge mode nothing is sent (like receipts): the sweeper starts the senders again once
the surge has passed, as it does for any mailing a killed worker or a lost message left.
"""

import logging
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone, translation

from cms.base import surge

from .. import task_names
from ..models import Signature, TargetReply, UpdateMailing, UpdateOptOut, UpdateRecipient
from . import mailer, send_guard, tracking, unsubscribe
from .confirmation import supporter_email
from .delivery import commit_without_waiting_for_disk, resend_headers
from .outbox import GRACE, SWEEP_BATCH, enqueue, enqueue_on_commit, next_look, resend

logger = logging.getLogger(__name__)

#: Rows one sender task sends before handing over to its successor.
BATCH = 200
#: Senders working on one mailing at once (each one task at a time in the queue).
CHAINS = 4
#: A row that failed this many times for a passing reason is given up, once the server has
#: taken the email after it (until then the server is taken to be away: it waits).
MAX_ATTEMPTS = 5
#: A passing failure (the mail server away) holds the mailing this long per attempt.
BACKOFF = timedelta(seconds=60)

Mailing, Recipient = UpdateMailing, UpdateRecipient


# Publishing -----------------------------------------------------------------------------


def published(sender, instance, **kwargs) -> None:
    """Wagtail's `published` signal (connected in apps.py) for answers and staff updates."""
    if isinstance(instance, TargetReply):
        announce_reply(instance)
    else:
        announce_update(instance)


def announce_update(update) -> UpdateMailing | None:
    """A staff update was published: owe its mailing (once, ever)."""
    return _announce(update.campaign, update=update)


def announce_reply(reply) -> UpdateMailing | None:
    """A target's answer was published: owe its mailing (once, ever)."""
    return _announce(reply.campaign, reply=reply)


def _announce(campaign, **source) -> UpdateMailing | None:
    with transaction.atomic():
        mailing, created = Mailing.objects.get_or_create(
            **source, defaults={"campaign_id": campaign.counter_source.pk}
        )
        if created:
            enqueue_on_commit(task_names.QUEUE_UPDATE, mailing.pk)
    return mailing if created else None


def queue_recipients(mailing_id: int) -> int:
    """Write the mailing's recipients, once, and start its senders; how many were written."""
    with transaction.atomic():
        mailing = (
            Mailing.objects.select_for_update()
            .filter(pk=mailing_id, state=Mailing.State.QUEUING)
            .first()
        )
        if mailing is None:
            return 0
        signatures, recipients = Signature._meta.db_table, Recipient._meta.db_table
        with connection.cursor() as cursor:
            # One statement however many supporters: a million rows in seconds.
            cursor.execute(
                f"""INSERT INTO {recipients} (mailing_id, signature_id, state, attempts)
                SELECT %s, id, %s, 0 FROM {signatures}
                WHERE campaign_id = %s AND status = %s AND consent AND anonymised_at IS NULL
                ORDER BY id
                ON CONFLICT DO NOTHING""",  # noqa: S608 - table names from the models
                [mailing.pk, Recipient.State.QUEUED, mailing.campaign_id, Signature.Status.COUNTED],
            )
            written = cursor.rowcount
        mailing.state, mailing.queued_at, mailing.due_at = (
            Mailing.State.SENDING,
            timezone.now(),
            timezone.now(),
        )
        mailing.save(update_fields=["state", "queued_at", "due_at"])
        _start_senders(mailing.pk)
    return written


def _start_senders(mailing_id: int) -> None:
    for _chain in range(CHAINS):
        enqueue_on_commit(task_names.SEND_UPDATE_BATCH, mailing_id)


# Sending --------------------------------------------------------------------------------


def send_batch(mailing_id: int, size: int = BATCH) -> int:
    """Send up to `size` of the mailing's queued rows, then hand over to a successor if some
    are left; how many rows this took. Nothing while paused, done or in a surge."""
    if surge.active():
        return 0  # the sweeper starts the senders again once the surge has passed
    if not Mailing.objects.filter(pk=mailing_id, state=Mailing.State.SENDING).update(
        due_at=timezone.now()  # the sweeper leaves a mailing being sent alone
    ):
        return 0
    # What every row of the batch shares is read once per batch, not once per email: the
    # mailing with its update or answer, and (in `pages`) each language's translation and
    # its addresses.
    mailing = (
        Mailing.objects.select_related("update", "reply__target").filter(pk=mailing_id).first()
    )
    if mailing is None:
        return 0  # deleted since, with its update or answer
    pages = {}
    # Rows that failed MAX_ATTEMPTS times for a passing reason, passed over in this batch: the
    # next email tells whether the server is away (it fails too: they wait with the rest)
    # or takes mail but not theirs (it goes through: they are given up).
    suspects = []
    for taken in range(size):
        try:
            state = _send_next(mailing, pages, passed_over=suspects)
        except SendFailed as failure:
            attempts = _note_failure(failure.row_id, failure.error)
            if attempts is None:
                continue  # refused for good: that address alone
            if attempts >= MAX_ATTEMPTS and not suspects:
                suspects.append(failure.row_id)
                continue
            return taken  # the mail server is away: the sweeper resumes after BACKOFF
        if state is None:
            _finish(mailing_id)
            return taken
        if state == Recipient.State.SENT and suspects:
            _give_up(suspects)
            suspects = []
    enqueue_on_commit(task_names.SEND_UPDATE_BATCH, mailing_id)
    return size


class SendFailed(Exception):
    def __init__(self, row_id: int, error: OSError):
        super().__init__(row_id, error)
        self.row_id, self.error = row_id, error


def _send_next(mailing, pages: dict, passed_over=()) -> str | None:
    """Send (or skip) the next queued row but those `passed_over`: its new state, or None if
    none is left to take."""
    taken = None
    try:
        with send_guard.sending(), transaction.atomic():
            row = (
                Recipient.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(mailing_id=mailing.pk, state=Recipient.State.QUEUED)
                .exclude(pk__in=passed_over)
                .filter(mailing__state=Mailing.State.SENDING)  # a pause stops at the next row
                .annotate(
                    opted_out=Exists(
                        UpdateOptOut.objects.filter(signature_id=OuterRef("signature_id"))
                    )
                )
                .select_related("signature")
                .order_by("pk")
                .first()
            )
            if row is None:
                return None
            taken, row.mailing = row.pk, mailing
            row.state = _skip_reason(row) or Recipient.State.SENT
            if row.state == Recipient.State.SENT:
                message = compose(row, pages)
                row.sent_at = timezone.now()
                row.attempts += 1
            row.save(update_fields=["state", "sent_at", "attempts"])
            if row.state == Recipient.State.SENT:
                commit_without_waiting_for_disk()
                mailer.send(message)  # returns after the server's 250
    except OSError as error:  # rolled back: the row is still queued
        raise SendFailed(taken, error) from error
    return row.state


def _skip_reason(row) -> str | None:
    signature = row.signature
    if (
        signature.status != Signature.Status.COUNTED
        or signature.anonymised_at
        or not signature.consent
    ):
        return Recipient.State.WITHDRAWN
    if row.opted_out:
        return Recipient.State.UNSUBSCRIBED
    if tracking.is_suppressed(signature.email):
        return Recipient.State.SUPPRESSED
    return None


def _note_failure(row_id: int, error: OSError) -> int | None:
    """Record a failed send on its row: None if it was refused for good (a permanent refusal
    of this address: go on with the next), else how many times it has failed.

    A passing failure (the server away, or busy) is the server's as much as the row's: it
    holds the mailing, and the row stays queued however often it fails, so that an outage of
    any length loses nothing. Only `send_batch` gives a row up, when the server takes the
    next email but never this one."""
    permanent = mailer.is_permanent(error)
    logger.warning("update email %s failed: %s", row_id, type(error).__name__)
    attempts = 0
    for row in Recipient.objects.filter(pk=row_id, state=Recipient.State.QUEUED):
        row.attempts += 1
        if permanent:
            row.state = Recipient.State.FAILED
        row.save(update_fields=["attempts", "state"])
        if not permanent:
            Mailing.objects.filter(pk=row.mailing_id).update(
                due_at=timezone.now() + BACKOFF * min(row.attempts, MAX_ATTEMPTS)
            )
        attempts = row.attempts
    return None if permanent else attempts


def _give_up(row_ids: list[int]) -> None:
    """Fail rows the server refused MAX_ATTEMPTS times for a passing reason while it took
    the email sent after them."""
    Recipient.objects.filter(pk__in=row_ids, state=Recipient.State.QUEUED).update(
        state=Recipient.State.FAILED
    )


def _finish(mailing_id: int) -> None:
    """No row left to take: done once none is queued (others may be in a sender's hands)."""
    Mailing.objects.filter(pk=mailing_id, state=Mailing.State.SENDING).exclude(
        Exists(Recipient.objects.filter(mailing_id=mailing_id, state=Recipient.State.QUEUED))
    ).update(state=Mailing.State.DONE)


def compose(row, pages: dict):
    """The update email to one supporter, in the language of the page they signed, with
    RFC 8058's one-click unsubscribe."""
    mailing, signature = row.mailing, row.signature
    key = signature.page_language
    if key not in pages:  # queries once per language and batch, not per supporter
        page = signature.page
        pages[key] = page, page.full_url, page.get_site().root_url
    signature.page, campaign_link, root_url = pages[key]
    if mailing.update:
        context = {"subject": mailing.update.subject, "text": mailing.update.body, "target": ""}
    else:
        context = {"subject": "", "text": mailing.reply.body, "target": str(mailing.reply.target)}
    link = unsubscribe.link_for(signature, root_url)
    context |= {"campaign_link": campaign_link, "unsubscribe_link": link}
    with translation.override(signature.page.language):
        message = supporter_email(signature, "update", context)
    message.extra_headers.update(
        resend_headers("update", row.pk, mailing.created_at, message.from_email)
    )
    message.extra_headers["List-Unsubscribe"] = f"<{link}>"
    message.extra_headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.metadata = tracking.metadata_for("update", row.pk)
    return message


# Staff ----------------------------------------------------------------------------------


def pause(mailing_id: int, user) -> bool:
    """Stop sending at the next row; whether it was being sent."""
    return bool(
        Mailing.objects.filter(pk=mailing_id, state=Mailing.State.SENDING).update(
            state=Mailing.State.PAUSED, paused_by=user
        )
    )


def resume(mailing_id: int) -> bool:
    """Send the rest; whether it was paused."""
    with transaction.atomic():
        resumed = Mailing.objects.filter(pk=mailing_id, state=Mailing.State.PAUSED).update(
            state=Mailing.State.SENDING, paused_by=None, due_at=timezone.now()
        )
        if resumed:
            _start_senders(mailing_id)
    return bool(resumed)


def progress(mailing) -> dict:
    """How many rows are in each state (counts only: no supporter)."""
    counts = dict.fromkeys(Recipient.State.values, 0)
    counts.update(
        Recipient.objects.filter(mailing=mailing)
        .values_list("state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return counts


def sweep(now=None) -> tuple[int, int]:
    """Enqueue again the mailings a lost message or a killed worker left: those still
    queuing, and those sending whose senders have not been seen for GRACE (all CHAINS of
    them: a mailing of a million must not go on with one sender after a crash)."""
    now = now or timezone.now()
    overdue = Mailing.objects.filter(due_at__lt=now - GRACE)
    queuing = overdue.filter(state=Mailing.State.QUEUING)
    sending = overdue.filter(state=Mailing.State.SENDING)
    if surge.active():
        sending = sending.none()
    started = []
    for pk in sending.order_by("due_at").values_list("pk", flat=True)[:SWEEP_BATCH]:
        if not all(enqueue(task_names.SEND_UPDATE_BATCH, pk) for _chain in range(CHAINS)):
            break  # the broker is away: the next sweep tries again
        started.append(pk)
    Mailing.objects.filter(pk__in=started).update(due_at=next_look(now))
    return resend(queuing, task_names.QUEUE_UPDATE, "due_at", now), len(started)
