"""The names of the audit-log actions signatures records (Wagtail's log, shown in a
campaign's history and the site history report; a directory's import has its own, in
campaigns/directory_import/log_action_names.py). Services log under these names; wagtail_hooks.py
registers each with its label and wording."""

APPROVE = "clarion.signatures.approve"
REJECT = "clarion.signatures.reject"
MARK_SPAM = "clarion.signatures.spam"
INVALIDATE = "clarion.signatures.invalidate"
EXPORT = "clarion.signatures.export"
RETRY_DELIVERIES = "clarion.deliveries.retry"
ERASE_SUPPORTER = "clarion.privacy.erase"
SUBJECT_ACCESS = "clarion.privacy.access"
KEEP_REPRESENTATIVE = "clarion.directory.found"
LIFT_SUPPRESSION = "clarion.suppression.lift"
REVOKE_REPLY_LINKS = "clarion.replies.revoke_links"
MILESTONE = "clarion.milestones.crossed"
