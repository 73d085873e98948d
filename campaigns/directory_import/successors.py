"""Representatives a replace removes: their successor (the one representative of the same
district in the file), and the letters still owed to them, counted for the report and
handed to the successor or held, never sent to the old address. The letters belong to the
app that writes them: it is asked through campaigns/directory_hooks.py."""

from campaigns.models import Target

from .. import directory_hooks
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


def count_owed_letters(report: Report, gone, successors) -> None:
    owed = directory_hooks.letters_owed(gone)
    for target in gone:
        if letters := owed.get(target.pk):
            if key := successors.get(target.pk):
                report.successors.append((label(target), f"{key[0]} ({key[1]})", letters))
            else:
                report.held.append((label(target), letters))


def hand_over_letters(report: Report, gone, successors, targets, directory) -> None:
    """Letters still owed to representatives leaving go to their successor; without one
    they are held, the reason on the Deliveries screen."""
    count_owed_letters(report, gone, successors)
    for target in gone:
        successor = targets.get(successors.get(target.pk))
        directory_hooks.hand_over_letters(target, successor, directory.name)
