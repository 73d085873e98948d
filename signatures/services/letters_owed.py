"""Letters to representatives a directory's refresh removes (campaigns/directory_import/,
which asks for these through the hooks of campaigns/directory_hooks.py): those still owed
are counted, and go to the successor or are held with the reason shown on the Deliveries
screen, never to the old address; those written to stay on record.

A held letter waits: it is still owed, listed on the directory's import screen by district
(`letters_held`), and goes to the successor a later import gives the district. Only the
letters of signatures that still count: one a moderator rejected since, or an erased
supporter's, stays where it is."""

from django.db.models import Count, Q
from django.utils import timezone

from campaigns.directory_import.csv_file import label

from .. import task_names
from ..models import Delivery, Signature
from .outbox import enqueue_on_commit

#: What a held letter's last_error starts with (`hand_over`): how it is told from a letter
#: that failed for another reason, which no refresh moves.
HELD = "Held:"


def _held_q() -> Q:
    return Q(
        state=Delivery.State.FAILED,
        last_error__startswith=HELD,
        signature__status=Signature.Status.COUNTED,
        signature__anonymised_at__isnull=True,
    )


def _owed(targets):
    """The letters still owed to `targets`: queued, or held for want of a successor."""
    return Delivery.objects.filter(Q(state=Delivery.State.PENDING) | _held_q(), target__in=targets)


def _count(letters) -> dict[int, int]:
    return dict(
        letters.values("target").annotate(letters=Count("pk")).values_list("target", "letters")
    )


def letters_owed(targets) -> dict[int, int]:
    """The letters still owed to each of `targets` (queued or held), by the target's pk."""
    return _count(_owed(targets))


def letters_held(targets) -> dict[int, int]:
    """The letters held for each of `targets` (who left with no successor), by pk."""
    return _count(Delivery.objects.filter(_held_q(), target__in=targets))


def hand_over(target, successor, directory_name: str) -> None:
    """Letters still owed to a representative leaving (or held since they left) go to
    their successor; without one (`successor` None) they are held, the reason on the
    Deliveries screen, and wait for the successor a later import gives the district."""
    owed = _owed([target])
    if successor is None:
        owed.update(
            state=Delivery.State.FAILED,
            last_error=(
                f"{HELD} {label(target)} left the directory “{directory_name}” "
                "with no successor for the district. Not sent to the old address."
            ),
        )
        return
    # A supporter who already writes to the successor gets no second letter (unless the
    # successor is the one who left, back in the file: their letter is that one).
    if successor.pk != target.pk:
        twice = owed.filter(signature__deliveries__target=successor)
        twice.update(
            state=Delivery.State.FAILED,
            last_error=f"Not sent: {label(target)} left; the letter goes to {label(successor)}.",
        )
    moved = list(owed.values_list("pk", "signature__campaign__digest_minutes"))
    owed.update(
        target=successor, state=Delivery.State.PENDING, due_at=timezone.now(), last_error=""
    )
    for pk, digest_minutes in moved:
        if not digest_minutes:  # a digest gathers its own
            enqueue_on_commit(task_names.DELIVER_LETTER, pk)


def written_to(targets) -> set[int]:
    """The pks of those of `targets` any letter went to: their deliveries keep them."""
    return set(
        Delivery.objects.filter(target__in=targets).values_list("target_id", flat=True).distinct()
    )
