"""The names of the audit-log actions a directory's import records (Wagtail's log, shown in
the history of the directory and of each representative); campaigns/wagtail_hooks.py
registers each with its label and wording."""

IMPORT_DIRECTORY = "clarion.directory.import"
IMPORT_REPRESENTATIVE = "clarion.directory.representative"
LEAVE_DIRECTORY = "clarion.directory.leave"
