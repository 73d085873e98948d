"""Letters to representatives a directory's refresh removes (campaigns/directory_import/,
which asks for these through the hooks of campaigns/directory_hooks.py): those still owed
are counted, and go to the successor or are held with the reason shown on the Deliveries
screen, never to the old address; those written to stay on record."""

from django.db.models import Count
from django.utils import timezone

from campaigns.directory_import.csv_file import label

from .. import task_names
from ..models import Delivery
from .outbox import enqueue_on_commit


def _owed(targets):
    return Delivery.objects.filter(target__in=targets, state=Delivery.State.PENDING)


def letters_owed(targets) -> dict[int, int]:
    """The letters still queued for each of `targets`, by the target's pk."""
    return dict(
        _owed(targets)
        .values("target")
        .annotate(letters=Count("pk"))
        .values_list("target", "letters")
    )


def hand_over(target, successor, directory_name: str) -> None:
    """Letters still owed to a representative leaving go to their successor; without one
    (`successor` None) they are held, the reason on the Deliveries screen."""
    owed = _owed([target])
    if successor is None:
        owed.update(
            state=Delivery.State.FAILED,
            last_error=(
                f"Held: {label(target)} left the directory “{directory_name}” "
                "with no successor for the district. Not sent to the old address."
            ),
        )
        return
    # A supporter who already writes to the successor gets no second letter.
    twice = owed.filter(signature__deliveries__target=successor)
    twice.update(
        state=Delivery.State.FAILED,
        last_error=f"Not sent: {label(target)} left; the letter goes to {label(successor)}.",
    )
    moved = list(owed.values_list("pk", "signature__campaign__digest_minutes"))
    owed.update(target=successor, due_at=timezone.now(), last_error="")
    for pk, digest_minutes in moved:
        if not digest_minutes:  # a digest gathers its own
            enqueue_on_commit(task_names.DELIVER_LETTER, pk)


def written_to(targets) -> set[int]:
    """The pks of those of `targets` any letter went to: their deliveries keep them."""
    return set(
        Delivery.objects.filter(target__in=targets).values_list("target_id", flat=True).distinct()
    )
