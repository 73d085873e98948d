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
every import is logged on the directory, with how many addresses it changed. Lookups read
the table itself, so an import takes effect for the running site at once.
"""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from campaigns.models import CampaignTarget, Directory, PostalPrefix, Target, normalise_postal_code
from campaigns.models.directories import MAX_POSTAL_CODE

from .. import log_actions
from ..models import Delivery

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
    name: str, report: Report, *, replace: bool, user=None, dry_run: bool = False
) -> Report:
    """Write `report`'s rows (from read_csv) into the directory named `name`, created if
    new; with `dry_run`, count what would change and write nothing. Refuses a report with
    errors (nothing is written)."""
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
            elif _details(row) != tuple(getattr(target, name) for name in DETAILS):
                report.addresses_changed += target.email != row.email
                for detail in DETAILS:
                    setattr(target, detail, getattr(row, detail))
                changed.append(target)
        report.created, report.updated = len(new), len(changed)
        gone = [target for key, target in existing.items() if key not in wanted]
        report.prefixes = len(report.rows)
        if dry_run:
            report.removed = len(gone) if replace else 0
            transaction.set_rollback(True)
            return report
        Target.objects.bulk_create(new, batch_size=1000)
        Target.objects.bulk_update(changed, DETAILS, batch_size=1000)
        targets = existing | {(target.name, target.district): target for target in new}
        prefixes = PostalPrefix.objects.filter(directory=directory)
        if replace:
            prefixes.delete()
            report.removed = _remove(gone)
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
        directory.save(update_fields=["updated_at"])
        report.written = True
        log(
            instance=directory,
            action=log_actions.IMPORT_DIRECTORY,
            user=user,
            data={
                "replace": replace,
                "created": report.created,
                "updated": report.updated,
                "addresses_changed": report.addresses_changed,
                "removed": report.removed,
                "prefixes": report.prefixes,
            },
        )
    return report


def _target(directory, row: Row, now) -> Target:
    """A representative as imported: published, since importing takes the right to."""
    return Target(
        directory=directory,
        name=row.name,
        district=row.district,
        **{detail: getattr(row, detail) for detail in DETAILS},
        live=True,
        has_unpublished_changes=False,
        first_published_at=now,
        last_published_at=now,
    )


def _remove(gone: list[Target]) -> int:
    """Delete the representatives no longer in the directory, but those letters went to
    (their deliveries keep them) or a campaign names as its own target: those stay, out of
    every lookup, having no postal code left."""
    written_to = set(
        Delivery.objects.filter(target__in=gone).values_list("target_id", flat=True).distinct()
    ) | set(CampaignTarget.objects.filter(target__in=gone).values_list("target_id", flat=True))
    removable = [target.pk for target in gone if target.pk not in written_to]
    Target.objects.filter(pk__in=removable).delete()
    return len(removable)
