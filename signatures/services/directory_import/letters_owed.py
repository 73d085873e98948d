"""Letters still owed to representatives a refresh removes: to their successor (the one
representative of the same district in the file), or held with the reason shown on the
Deliveries screen; never to the old address."""

from django.db.models import Count
from django.utils import timezone

from campaigns.models import Target

from ... import task_names
from ...models import Delivery
from ..outbox import enqueue_on_commit
from .csv_file import Report, label


def successors_of(gone: list[Target], wanted: dict) -> dict[int, tuple]:
    """For each representative leaving, the key of the one representative of the same
    district in the file, if there is exactly one."""
    by_district: dict[str, list[tuple]] = {}
    for key in wanted:
        by_district.setdefault(key[1], []).append(key)
    return {
        target.pk: keys[0]
        for target in gone
        if target.district and len(keys := by_district.get(target.district, [])) == 1
    }


def _owed(gone: list[Target]):
    return Delivery.objects.filter(target__in=gone, state=Delivery.State.PENDING)


def count_owed_letters(report: Report, gone, successors) -> None:
    owed = dict(
        _owed(gone).values("target").annotate(letters=Count("pk")).values_list("target", "letters")
    )
    for target in gone:
        if letters := owed.get(target.pk):
            if key := successors.get(target.pk):
                report.successors.append((label(target), f"{key[0]} ({key[1]})", letters))
            else:
                report.held.append((label(target), letters))


def hand_over_letters(report: Report, gone, successors, targets, recorded) -> None:
    """Letters still owed to representatives leaving go to their successor; without one
    they are held, the reason on the Deliveries screen."""
    count_owed_letters(report, gone, successors)
    now = timezone.now()
    for target in gone:
        owed = _owed([target])
        successor = targets.get(successors.get(target.pk))
        if successor is None:
            owed.update(
                state=Delivery.State.FAILED,
                last_error=(
                    f"Held: {label(target)} left the directory “{recorded.directory.name}” "
                    "with no successor for the district. Not sent to the old address."
                ),
            )
            continue
        # A supporter who already writes to the successor gets no second letter.
        twice = owed.filter(signature__deliveries__target=successor)
        twice.update(
            state=Delivery.State.FAILED,
            last_error=f"Not sent: {label(target)} left; the letter goes to {label(successor)}.",
        )
        moved = list(owed.values_list("pk", "signature__campaign__digest_minutes"))
        owed.update(target=successor, due_at=now, last_error="")
        for pk, digest_minutes in moved:
            if not digest_minutes:  # a digest gathers its own
                enqueue_on_commit(task_names.DELIVER_LETTER, pk)
