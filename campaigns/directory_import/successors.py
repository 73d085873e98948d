"""Representatives a replace removes: their successor (the one representative of the same
district in the directory after the import), and the letters still owed to them, counted
for the report and handed to the successor or held, never sent to the old address.

Held letters wait: a later import that gives their district one representative (in the
file of a replace, or among the directory's after an update) hands them over, and until
then the import screen lists them by directory and district (`letters_waiting`). The
letters belong to the app that writes them: it is asked through
campaigns/directory_hooks.py."""

from campaigns.models import Target

from .. import directory_hooks
from .csv_file import Report, label


def successors_of(leaving: list[Target], keys) -> dict[int, tuple]:
    """For each of `leaving`, the key of the one representative of the same district
    among `keys` (the (name, district) of the directory's representatives after the
    import), if there is exactly one."""
    by_district: dict[str, list[tuple]] = {}
    for key in keys:
        by_district.setdefault(key[1], []).append(key)
    return {
        target.pk: keys[0]
        for target in leaving
        if target.district and len(keys := by_district.get(target.district, [])) == 1
    }


def _named(key: tuple) -> str:
    return f"{key[0]} ({key[1]})"


def count_owed_letters(report: Report, gone, successors, waiting=()) -> None:
    """Fill the report's letters owed: those of `gone` (leaving now) go to their successor
    or are newly held; those held for `waiting` (who left before) go to the successor
    their district now has."""
    owed = directory_hooks.letters_owed(gone)
    held = directory_hooks.letters_held([*gone, *waiting])
    for target in gone:
        if letters := owed.get(target.pk):
            if key := successors.get(target.pk):
                report.successors.append((label(target), _named(key), letters))
            elif newly := letters - held.get(target.pk, 0):  # those held before stay held
                report.held.append((label(target), newly))
    for target in waiting:
        if (key := successors.get(target.pk)) and (letters := held.get(target.pk)):
            report.successors.append((label(target), _named(key), letters))


def hand_over_letters(report: Report, gone, successors, targets, directory, waiting=()) -> None:
    """Letters still owed to representatives leaving go to their successor; without one
    they are held, the reason on the Deliveries screen. Letters held for those who left
    before go to the successor their district now has."""
    count_owed_letters(report, gone, successors, waiting)
    for target in gone:
        successor = targets.get(successors.get(target.pk))
        directory_hooks.hand_over_letters(target, successor, directory.name)
    for target in waiting:
        if successor := targets.get(successors.get(target.pk)):
            directory_hooks.hand_over_letters(target, successor, directory.name)


def letters_waiting() -> list[tuple[str, str, str, int]]:
    """The letters held for want of a representative, for staff: (directory, district,
    who left, letters), by directory and district. Counts only: nothing of any supporter."""
    held = directory_hooks.letters_held(Target.objects.filter(directory__isnull=False, live=False))
    left = Target.objects.filter(pk__in=held).select_related("directory")
    return [
        (target.directory.name, target.district, target.name, held[target.pk])
        for target in left.order_by("directory__name", "district", "name")
    ]
