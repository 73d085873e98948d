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
Held letters wait, listed on the import screen by district, until an import gives their
district one representative: they go to that one (successors.py).
The letters are the app's that writes them (signatures), asked through the hooks of
campaigns/directory_hooks.py.
"""

from .csv_file import Report, Row, read_csv
from .refresh import import_directory

__all__ = ["Report", "Row", "import_directory", "read_csv"]
