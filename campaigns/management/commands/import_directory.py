"""python manage.py import_directory --directory "House of Commons" [--replace] [--dry-run] FILE.csv

Imports a directory of representatives (see campaigns/directory_import/ for the
columns and what replace and update do). A file with errors writes nothing: each error is
printed with its line number, and the command exits with status 1. A dry run prints the
difference the file would make; the import records the operating-system user who ran it.
"""

import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from campaigns.directory_import import import_directory, read_csv


class Command(BaseCommand):
    help = "Import representatives and their postal codes from CSV into a directory."

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help="CSV: postal_code,name,salutation,email[,district,party,language]"
        )
        parser.add_argument(
            "--directory", required=True, help="The directory's name (created if new)."
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Make the directory exactly the file; without it, the file's rows are added or updated.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and count; write nothing."
        )

    def handle(self, *args, file, directory, replace, dry_run, **options):
        try:
            data = Path(file).read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from None
        if not directory.strip():
            raise CommandError("--directory needs a name.")
        report = import_directory(
            directory.strip(),
            read_csv(data),
            replace=replace,
            os_user=_os_user(),
            source=Path(file).name,
            dry_run=dry_run,
        )
        if report.errors:
            for line, message in report.errors:
                self.stderr.write(f"line {line}: {message}")
            raise CommandError(f"{len(report.errors)} errors: nothing was imported.")
        done = "Would import" if dry_run else "Imported"
        self.stdout.write(
            f"{done} {report.prefixes} postal codes into {directory!r}: "
            f"{report.created} representatives added, {report.updated} updated "
            f"({report.addresses_changed} addresses changed), {report.removed} removed."
        )
        self._difference(report)

    def _difference(self, report):
        """What changes, person by person, so a dry run can be reviewed before it is run."""
        lines = [
            *(f"  unpublished, will be published: {who}" for who in report.to_publish),
            *(f"  pending draft superseded: {who}" for who in report.drafts_superseded),
            *(f"  added: {who}" for who in report.added),
            *(f"  removed: {who}" for who in report.leaving),
            *(f"  address: {who}: {old} -> {new}" for who, old, new in report.address_changes),
            *(f"  letters to {old} go to {new}: {n}" for old, new, n in report.successors),
            *(f"  letters to {old} held (no successor): {n}" for old, n in report.held),
            *(
                f"  postal code {code}: {before} -> {after or 'nobody'}"
                for code, before, after in report.changing_hands
            ),
        ]
        for line in lines:
            self.stdout.write(line)


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no name for this uid (a bare container)
        return "unknown"
