"""Applying a directory's rows: the difference worked out (a dry run stops there), then
written, each representative's change published and logged (record.py), and the letters
owed to those leaving handed over (successors.py)."""

from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from campaigns.models import CampaignTarget, Directory, PostalPrefix, Target

from .. import directory_hooks
from . import log_action_names
from .csv_file import DETAILS, LOGGED, Report, Row, details, label
from .record import Recorder
from .successors import count_owed_letters, hand_over_letters, successors_of


def import_directory(
    name: str,
    report: Report,
    *,
    replace: bool,
    user=None,
    os_user: str = "",
    source: str = "",
    dry_run: bool = False,
    reviewed: str = "",
) -> Report:
    """Write `report`'s rows (from read_csv) into the directory named `name`, created if
    new; with `dry_run`, work out the difference and write nothing. Refuses a report with
    errors (nothing is written). `user` is who applies it in the admin, `os_user` the
    operating-system user of a command-line run; `source` what the rows came from (a file
    name), kept on the directory. `reviewed`, the difference_digest of the preview someone
    approved: if the directory has changed since (another import in between), the
    difference differs, nothing is written and the report says changed_since_review."""
    if report.errors:
        return report
    with transaction.atomic():
        directory, _created = Directory.objects.get_or_create(name=name)
        # Two imports into one directory run one after the other.
        Directory.objects.select_for_update().get(pk=directory.pk)
        existing = {
            (target.name, target.district): target
            for target in Target.objects.filter(directory=directory)
        }
        wanted = {}
        for row in report.rows:
            wanted.setdefault(row.key, row)
        now = timezone.now()
        new, changed = [], []
        for key, row in wanted.items():
            target = existing.get(key)
            if target is None:
                new.append(_target(directory, row))
                report.added.append(label(row))
                continue
            if not target.live:
                report.to_publish.append(label(target))
            elif details(row) == _current(target):
                continue
            if target.live and target.has_unpublished_changes:
                report.drafts_superseded.append(label(target))
            if target.email != row.email:
                report.address_changes.append((label(target), target.email, row.email))
            changed.append((target, row))
        report.addresses_changed = len(report.address_changes)
        report.created, report.updated = len(new), len(changed)
        gone = [target for key, target in existing.items() if key not in wanted] if replace else []
        # Who left in an earlier refresh (unpublished, kept on record, no postal code leads
        # to them) does not leave now: not listed in the difference, nor logged again.
        coded = set(
            PostalPrefix.objects.filter(directory=directory)
            .values_list("representative_id", flat=True)
            .distinct()
            if gone
            else ()
        )
        left_before = {target.pk for target in gone if not target.live and target.pk not in coded}
        report.leaving = [label(target) for target in gone if target.pk not in left_before]
        report.changing_hands = _changing_hands(directory, report.rows, replace)
        report.prefixes = len(report.rows)
        # Who represents each district after the import: the file's, and with an update
        # also the directory's others, which stay published.
        after = set(wanted) | (set() if replace else {k for k, t in existing.items() if t.live})
        # Those who left in an earlier refresh with letters held: a district that now has
        # one representative gets them (the one who left, should the file bring them back).
        held = directory_hooks.letters_held([t for t in existing.values() if t not in gone])
        waiting = [target for target in existing.values() if target.pk in held]
        successors = successors_of(gone + waiting, after)
        if reviewed and report.difference_digest() != reviewed:
            report.changed_since_review = True
            dry_run = True
        if dry_run:
            count_owed_letters(report, gone, successors, waiting)
            report.removed = len(gone)
            transaction.set_rollback(True)
            return report
        Target.objects.bulk_create(new, batch_size=1000)
        recorded = Recorder(directory, user, os_user)
        for target in new:
            recorded.publish(target, old_email="", created=True)
        for target, row in changed:
            old_email = target.email
            for detail in DETAILS:
                setattr(target, detail, getattr(row, detail))
            recorded.publish(target, old_email=old_email)
        targets = existing | {(target.name, target.district): target for target in new}
        prefixes = PostalPrefix.objects.filter(directory=directory)
        if replace:
            prefixes.delete()
            hand_over_letters(report, gone, successors, targets, directory, waiting)
            report.removed = _remove(gone, recorded, left_before)
        else:
            prefixes.filter(prefix__in={row.prefix for row in report.rows}).delete()
            hand_over_letters(report, [], successors, targets, directory, waiting)
        PostalPrefix.objects.bulk_create(
            (
                PostalPrefix(
                    directory=directory, prefix=row.prefix, representative=targets[row.key]
                )
                for row in report.rows
            ),
            batch_size=5000,
        )
        directory.refreshed_at = now
        directory.refreshed_from = source[:255]
        directory.refreshed_by = recorded.by
        directory.save(
            update_fields=["updated_at", "refreshed_at", "refreshed_from", "refreshed_by"]
        )
        report.written = True
        log(
            instance=directory,
            action=log_action_names.IMPORT_DIRECTORY,
            user=user,
            data={
                "replace": replace,
                "source": source,
                "os_user": os_user,
                "created": report.created,
                "updated": report.updated,
                "addresses_changed": report.addresses_changed,
                "removed": report.removed,
                "prefixes": report.prefixes,
                **{
                    key: getattr(report, key)[:LOGGED]
                    for key in (
                        "added",
                        "leaving",
                        "address_changes",
                        "to_publish",
                        "drafts_superseded",
                        "changing_hands",
                        "successors",
                        "held",
                    )
                },
            },
        )
    return report


def _current(target: Target) -> tuple:
    return tuple(getattr(target, name) for name in DETAILS)


def _target(directory, row: Row) -> Target:
    """A representative as imported, before its first revision is published."""
    return Target(
        directory=directory,
        name=row.name,
        district=row.district,
        **{detail: getattr(row, detail) for detail in DETAILS},
        live=False,
        has_unpublished_changes=True,
    )


def _changing_hands(directory, rows: list[Row], replace: bool) -> list[tuple[str, str, str]]:
    """The postal codes already in the directory that lead to someone else after the
    import (or, with replace, to nobody): (code, before, after), in code order."""
    before: dict[str, set[str]] = {}
    for prefix, name, district in PostalPrefix.objects.filter(directory=directory).values_list(
        "prefix", "representative__name", "representative__district"
    ):
        before.setdefault(prefix, set()).add(f"{name} ({district})" if district else name)
    after: dict[str, set[str]] = {}
    for row in rows:
        after.setdefault(row.prefix, set()).add(label(row))
    codes = set(before) if replace else set(before) & set(after)
    return [
        (code, ", ".join(sorted(before[code])), ", ".join(sorted(after.get(code, ()))))
        for code in sorted(codes)
        if before[code] != after.get(code, set())
    ]


def _remove(gone: list[Target], recorded, left_before: set[int]) -> int:
    """Delete the representatives no longer in the directory, but those letters went to
    (their deliveries keep them) or a campaign names as its own target: those stay on
    record, unpublished, out of every lookup, having no postal code left (logged as
    leaving once: not again for those `left_before`)."""
    written_to = directory_hooks.written_to(gone) | set(
        CampaignTarget.objects.filter(target__in=gone).values_list("target_id", flat=True)
    )
    removable = [target.pk for target in gone if target.pk not in written_to]
    for target in gone:
        if target.pk in written_to and target.pk not in left_before:
            recorded.leave(target)
    Target.objects.filter(pk__in=removable).delete()
    return len(removable)
