"""python manage.py import_directory --directory "House of Commons" [--replace] [--dry-run] FILE.csv

Imports a directory of representatives (see signatures/services/directories.py for the
columns and what replace and update do). A file with errors writes nothing: each error is
printed with its line number, and the command exits with status 1.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from signatures.services.directories import import_directory, read_csv


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
            directory.strip(), read_csv(data), replace=replace, dry_run=dry_run
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
