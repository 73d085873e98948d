"""Importing a directory of representatives from CSV: checked row by row, then written at once.

Columns `postal_code,name,salutation,email` and optional `district,party,language`; one
row per postal code (or prefix) and representative. A representative is recognised by its
name and district, so a later import updates its address rather than adding a second one.
A file with any error writes nothing: each error is reported with its line number, and a
dry run reports what an import would do without doing it.

Replace: the directory becomes exactly the file (its other prefixes go; its representatives
not in the file go too, unless letters were sent to them, which keep them on record, out of
every lookup). Update: the file's representatives are added or updated, and each postal code
in the file leads to the file's representatives; the directory's other codes stay.

Where letters go is guarded: the admin's screen needs the right to publish targets, and
shows what the file changes before anything is written (a dry run: who is added, removed,
whose address changes, which postal codes change hands, which unpublished match the import
publishes, which pending drafts it supersedes). Lookups read the table itself, so an import
takes effect for the running site at once.

On the record: each representative the import adds, changes or publishes gets a revision,
published, and a log entry of its own (old and new address, who: the admin user, or the
operating-system user of a command-line run); the directory keeps when it was last
refreshed, from what, by whom, and its log the whole difference.

Letters still owed to a representative a replace removes go to their successor (the one
representative of the same district in the file) or, without one, are held with the reason
shown on the Deliveries screen: never to the old address, as the one removed is unpublished.
"""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.actions.unpublish import UnpublishAction
from wagtail.log_actions import log

from campaigns.models import CampaignTarget, Directory, PostalPrefix, Target, normalise_postal_code
from campaigns.models.directories import MAX_POSTAL_CODE

from .. import log_actions, task_names
from ..models import Delivery
from .outbox import enqueue_on_commit

REQUIRED_COLUMNS = ("postal_code", "name", "salutation", "email")
OPTIONAL_COLUMNS = ("district", "party", "language")
DETAILS = ("salutation", "email", "party", "language")
LIMITS = {
    "name": 200,
    "salutation": 80,
    "email": 254,
    "district": 200,
    "party": 200,
    "language": 12,
}


@dataclass(frozen=True)
class Row:
    line: int
    prefix: str
    name: str
    salutation: str
    email: str
    district: str = ""
    party: str = ""
    language: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.name, self.district)


#: How many of each list of the difference the directory's log keeps (the counts are whole).
LOGGED = 200


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, message)
    created: int = 0
    updated: int = 0
    addresses_changed: int = 0
    removed: int = 0
    prefixes: int = 0
    written: bool = False
    # The difference, each representative as "Name (District)":
    added: list[str] = field(default_factory=list)
    leaving: list[str] = field(default_factory=list)  # removed by a replace
    address_changes: list[tuple[str, str, str]] = field(default_factory=list)  # who, old, new
    # Matches that were unpublished (a draft, or stopped): the import publishes them.
    to_publish: list[str] = field(default_factory=list)
    # Representatives with an Editor's draft pending: the import's revision supersedes it.
    drafts_superseded: list[str] = field(default_factory=list)
    # Postal codes that lead to someone else: (code, before, after); after "" is nobody.
    changing_hands: list[tuple[str, str, str]] = field(default_factory=list)
    # Letters owed to those leaving: (who, successor, letters) and (who, letters) held.
    successors: list[tuple[str, str, int]] = field(default_factory=list)
    held: list[tuple[str, int]] = field(default_factory=list)

    @property
    def representatives(self) -> int:
        return len({row.key for row in self.rows})


def read_csv(data: bytes | str) -> Report:
    """The file's rows, and its errors with their line numbers (nothing is written)."""
    report = Report()
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            report.errors.append((1, _("The file is not UTF-8 text: save it as CSV UTF-8.")))
            return report
    reader = csv.DictReader(io.StringIO(data, newline=""))
    columns = [name.strip().lower() for name in reader.fieldnames or []]
    if missing := [name for name in REQUIRED_COLUMNS if name not in columns]:
        report.errors.append(
            (1, _("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
        )
        return report
    reader.fieldnames = columns
    seen: dict[tuple[str, str], Row] = {}
    pairs: set[tuple[str, tuple[str, str]]] = set()
    try:
        for raw in reader:
            line = reader.line_num
            row, problems = _row(line, raw)
            if row and (earlier := seen.get(row.key)) and _details(earlier) != _details(row):
                problems.append(
                    _("%(name)s has other details on line %(line)s: one person, one address.")
                    % {"name": row.name, "line": earlier.line}
                )
            if row and (row.prefix, row.key) in pairs:
                problems.append(_("The same postal code and representative appear twice."))
            if problems:
                report.errors += [(line, problem) for problem in problems]
                continue
            seen.setdefault(row.key, row)
            pairs.add((row.prefix, row.key))
            report.rows.append(row)
    except csv.Error as error:
        report.errors.append(
            (reader.line_num, _("Not readable as CSV: %(error)s") % {"error": error})
        )
    if not report.rows and not report.errors:
        report.errors.append((1, _("The file has no rows.")))
    return report


def _row(line: int, raw: dict) -> tuple[Row | None, list[str]]:
    if None in raw:
        return None, [_("This row has more values than there are columns.")]
    values = {
        name: (raw.get(name) or "").strip() for name in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
    }
    problems = []
    prefix = normalise_postal_code(values["postal_code"])
    if not prefix:
        problems.append(_("The postal code is empty."))
    elif len("".join(c for c in values["postal_code"] if c.isalnum())) > MAX_POSTAL_CODE:
        problems.append(_("The postal code is too long."))
    if not values["name"]:
        problems.append(_("The name is empty."))
    try:
        validate_email(values["email"])
    except ValidationError:
        problems.append(_("“%(email)s” is not an email address.") % {"email": values["email"]})
    for name, limit in LIMITS.items():
        if len(values[name]) > limit:
            problems.append(
                _("The %(column)s is longer than %(limit)s characters.")
                % {"column": name, "limit": limit}
            )
    if any(ord(char) < 32 for value in values.values() for char in value):
        problems.append(_("A value holds a line break or a control character."))
    if problems:
        return None, problems
    del values["postal_code"]
    return Row(line=line, prefix=prefix, **values), []


def _details(row: Row) -> tuple:
    return tuple(getattr(row, name) for name in DETAILS)


def import_directory(
    name: str,
    report: Report,
    *,
    replace: bool,
    user=None,
    os_user: str = "",
    source: str = "",
    dry_run: bool = False,
) -> Report:
    """Write `report`'s rows (from read_csv) into the directory named `name`, created if
    new; with `dry_run`, work out the difference and write nothing. Refuses a report with
    errors (nothing is written). `user` is who applies it in the admin, `os_user` the
    operating-system user of a command-line run; `source` what the rows came from (a file
    name), kept on the directory."""
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
                new.append(_target(directory, row, now))
                report.added.append(_label(row))
                continue
            if not target.live:
                report.to_publish.append(_label(target))
            elif _details(row) == _current(target):
                continue
            if target.live and target.has_unpublished_changes:
                report.drafts_superseded.append(_label(target))
            if target.email != row.email:
                report.address_changes.append((_label(target), target.email, row.email))
            changed.append((target, row))
        report.addresses_changed = len(report.address_changes)
        report.created, report.updated = len(new), len(changed)
        gone = [target for key, target in existing.items() if key not in wanted] if replace else []
        report.leaving = [_label(target) for target in gone]
        report.changing_hands = _changing_hands(directory, report.rows, replace)
        report.prefixes = len(report.rows)
        successors = _successors(gone, wanted)
        if dry_run:
            _count_owed_letters(report, gone, successors)
            report.removed = len(gone)
            transaction.set_rollback(True)
            return report
        Target.objects.bulk_create(new, batch_size=1000)
        recorded = _Recorder(directory, user, os_user)
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
            _hand_over_letters(report, gone, successors, targets, recorded)
            report.removed = _remove(gone, recorded)
        else:
            prefixes.filter(prefix__in={row.prefix for row in report.rows}).delete()
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
            action=log_actions.IMPORT_DIRECTORY,
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


def _label(person) -> str:
    return f"{person.name} ({person.district})" if person.district else person.name


def _current(target: Target) -> tuple:
    return tuple(getattr(target, name) for name in DETAILS)


def _target(directory, row: Row, now) -> Target:
    """A representative as imported, before its first revision is published."""
    return Target(
        directory=directory,
        name=row.name,
        district=row.district,
        **{detail: getattr(row, detail) for detail in DETAILS},
        live=False,
        has_unpublished_changes=True,
    )


class _Recorder:
    """Publishes what an import writes as a revision, and logs it on the representative."""

    def __init__(self, directory, user, os_user: str):
        self.directory, self.user, self.os_user = directory, user, os_user
        self.by = user.get_username() if user else (f"{os_user} (command line)" if os_user else "")

    def publish(self, target: Target, *, old_email: str, created: bool = False) -> None:
        superseded = target.live and target.has_unpublished_changes
        unpublished_match = not target.live and not created
        # The import's revision becomes the latest: an Editor's older draft, published
        # later, would otherwise put the old address back.
        revision = target.save_revision(user=self.user, clean=False)
        revision.publish(user=self.user, skip_permission_checks=True)
        target.refresh_from_db()
        log(
            instance=target,
            action=log_actions.IMPORT_REPRESENTATIVE,
            user=self.user,
            revision=revision,
            data={
                "directory": self.directory.name,
                "old_email": old_email,
                "new_email": target.email,
                "os_user": self.os_user,
                "created": created,
                "published_match": unpublished_match,
                "superseded_draft": superseded,
            },
        )

    def leave(self, target: Target) -> None:
        """Unpublish a representative a replace removed but keeps on record: no letter
        may reach the address of someone no longer in office."""
        if target.live:
            UnpublishAction(target, user=self.user).execute(skip_permission_checks=True)
        log(
            instance=target,
            action=log_actions.LEAVE_DIRECTORY,
            user=self.user,
            data={"directory": self.directory.name, "os_user": self.os_user},
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
        after.setdefault(row.prefix, set()).add(_label(row))
    codes = set(before) if replace else set(before) & set(after)
    return [
        (code, ", ".join(sorted(before[code])), ", ".join(sorted(after.get(code, ()))))
        for code in sorted(codes)
        if before[code] != after.get(code, set())
    ]


def _successors(gone: list[Target], wanted: dict) -> dict[int, tuple]:
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


def _count_owed_letters(report: Report, gone, successors) -> None:
    owed = dict(
        _owed(gone).values("target").annotate(letters=Count("pk")).values_list("target", "letters")
    )
    for target in gone:
        if letters := owed.get(target.pk):
            if key := successors.get(target.pk):
                report.successors.append((_label(target), f"{key[0]} ({key[1]})", letters))
            else:
                report.held.append((_label(target), letters))


def _hand_over_letters(report: Report, gone, successors, targets, recorded) -> None:
    """Letters still owed to representatives leaving go to their successor; without one
    they are held, the reason on the Deliveries screen."""
    _count_owed_letters(report, gone, successors)
    now = timezone.now()
    for target in gone:
        owed = _owed([target])
        successor = targets.get(successors.get(target.pk))
        if successor is None:
            owed.update(
                state=Delivery.State.FAILED,
                last_error=(
                    f"Held: {_label(target)} left the directory “{recorded.directory.name}” "
                    "with no successor for the district. Not sent to the old address."
                ),
            )
            continue
        # A supporter who already writes to the successor gets no second letter.
        twice = owed.filter(signature__deliveries__target=successor)
        twice.update(
            state=Delivery.State.FAILED,
            last_error=f"Not sent: {_label(target)} left; the letter goes to {_label(successor)}.",
        )
        moved = list(owed.values_list("pk", "signature__campaign__digest_minutes"))
        owed.update(target=successor, due_at=now, last_error="")
        for pk, digest_minutes in moved:
            if not digest_minutes:  # a digest gathers its own
                enqueue_on_commit(task_names.DELIVER_LETTER, pk)


def _remove(gone: list[Target], recorded) -> int:
    """Delete the representatives no longer in the directory, but those letters went to
    (their deliveries keep them) or a campaign names as its own target: those stay on
    record, unpublished, out of every lookup, having no postal code left."""
    written_to = set(
        Delivery.objects.filter(target__in=gone).values_list("target_id", flat=True).distinct()
    ) | set(CampaignTarget.objects.filter(target__in=gone).values_list("target_id", flat=True))
    removable = [target.pk for target in gone if target.pk not in written_to]
    for target in gone:
        if target.pk in written_to:
            recorded.leave(target)
    Target.objects.filter(pk__in=removable).delete()
    return len(removable)
