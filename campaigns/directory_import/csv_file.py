"""Reading a directory's CSV file: checked row by row, each error with its line number; and
the report an import fills in (refresh.py)."""

import csv
import hashlib
import io
import json
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from campaigns.models import normalise_postal_code
from campaigns.models.directories import MAX_POSTAL_CODE

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

    #: Set when the directory changed between the preview and the confirmation: nothing written.
    changed_since_review: bool = False

    @property
    def representatives(self) -> int:
        return len({row.key for row in self.rows})

    def difference_digest(self) -> str:
        """What a reviewer approves: who is added, leaves, changes address or gets
        published, whose draft is superseded, which codes change hands. The letters owed
        are left out: supporters keep acting between the preview and the confirmation."""
        difference = [
            self.added,
            self.leaving,
            self.address_changes,
            self.to_publish,
            self.drafts_superseded,
            self.changing_hands,
        ]
        return hashlib.sha256(json.dumps(difference).encode()).hexdigest()


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
            if row and (earlier := seen.get(row.key)) and details(earlier) != details(row):
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


def details(row: Row) -> tuple:
    return tuple(getattr(row, name) for name in DETAILS)


def label(person) -> str:
    """A representative (a Row or a Target) as a report names them: "Name (District)"."""
    return f"{person.name} ({person.district})" if person.district else person.name
